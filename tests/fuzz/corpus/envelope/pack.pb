
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 ’â

ENQ-000001MASH-000001 (€°Ö’£42û
MASH-000001police€‚°ˆ£4"Ì
PPN-2026-000123j
c1
9434765919Maya"Hartley*
2019-03-010:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBwitness`
c2
4010232137Leo"Hartley*
2024-07-150:.
Flat 3
12 Canal Street
ExampletonEX1 2ABY
a1Jess"Hartley*
1994-05-200:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBvictimQ
a210/1234567X
RMS-778812policeDean"Marsh*
1990-10-020Bsuspect"
a1c1parent"
a1c2parent"
a2c2parent"
a2c1step-parent"
a1a2partner(2ÚPolice called by a neighbour at 02:10 to shouting and breaking glass. Mother had a facial injury and said her partner had tried to strangle her. Both children were in the flat and the older child witnessed the assault.8À©«± 4¢v
INC-2026-11-0042À©«± 4PC 4411 Sam Okafor"sam.okafor@police.example.uk*c1*c228@H*
 02dash_grade_raised8€ö£4@ZJ	dash_highJchildren_presentRE
c1P-000001possible ¢*dob+surname+postcode2P-000007:M-000001X`8B#risk to the children"J SmithJ«

health
REQ-000001€‚°ˆ£4 €ö£4(€¼ç‹£42ÿ	

REQ-000001É
gp_registration®Maya Hartley: Registered with Canal Street Surgery, Exampleton, since March 2019. Immunisations up to date including pre-school boosters. Last seen 2026-06 for asthma review.€…‰—-•
ae_attendanceüMaya Hartley: Exampleton General Emergency Department: brought by mother with a 3 cm laceration to the left forearm, said to be from falling against a glass door. Wound closed with steri-strips and discharged. No safeguarding referral made at the time.€õ»‹Š4Î
school_nurse¶Maya Hartley: School nurse drop-in at Canal Street Primary: Maya reported trouble sleeping and 'scary shouting at night'. Letter sent to mother offering an appointment; not taken up.€ÉåÜ‘4Ÿ
gp_registration„Leo Hartley: Registered with Canal Street Surgery since birth. 12-month immunisations overdue since August 2025; two reminders sent.€ßí2 
health_visitor†Leo Hartley: Health visitor: 12-month review missed twice (September and October 2025); seen at home on 5 November 2025. Mother reported low mood and little sleep; referred to the perinatal mental health team. A man present in the flat declined to give his name.ÀèÃœ¥3"o2 records matched: Maya Hartley (2019-03-01) by NHS number; Leo Hartley (2024-07-15) by NHS number. 5 findings.*healthR	educationZ{

ESC-000001
ENQ-000001
REQ-000002"MASH-000001*	education0:overdueBagency_duty_leadBhub_team_managerH€ö£4Pèı£4XbY
a1Jess"Hartley*
1994-05-200:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBvictimbQ
a210/1234567X
RMS-778812policeDean"Marsh*
1990-10-020Bsuspectj%
MASH-000000	education€ØÁ¢Œ4 *c1rJ Smithx€

$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 Šÿ	

REQ-000001É
gp_registration®Maya Hartley: Registered with Canal Street Surgery, Exampleton, since March 2019. Immunisations up to date including pre-school boosters. Last seen 2026-06 for asthma review.€…‰—-•
ae_attendanceüMaya Hartley: Exampleton General Emergency Department: brought by mother with a 3 cm laceration to the left forearm, said to be from falling against a glass door. Wound closed with steri-strips and discharged. No safeguarding referral made at the time.€õ»‹Š4Î
school_nurse¶Maya Hartley: School nurse drop-in at Canal Street Primary: Maya reported trouble sleeping and 'scary shouting at night'. Letter sent to mother offering an appointment; not taken up.€ÉåÜ‘4Ÿ
gp_registration„Leo Hartley: Registered with Canal Street Surgery since birth. 12-month immunisations overdue since August 2025; two reminders sent.€ßí2 
health_visitor†Leo Hartley: Health visitor: 12-month review missed twice (September and October 2025); seen at home on 5 November 2025. Mother reported low mood and little sleep; referred to the perinatal mental health team. A man present in the flat declined to give his name.ÀèÃœ¥3"o2 records matched: Maya Hartley (2019-03-01) by NHS number; Leo Hartley (2024-07-15) by NHS number. 5 findings.*health
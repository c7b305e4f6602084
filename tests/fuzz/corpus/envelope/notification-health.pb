
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 RÆ
EGH-ED-2026-118842†
c1
4010232137EGH-MRN-7719204healthLeo"Hartley*
2024-07-150:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBpatient:
c2
9434765919Maya"Hartley*
2019-03-010BsiblingY
a1Jess"Hartley*
1994-05-200:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBmother"
a1c1parent"
a1c2parent"
c1c2sibling(2åLeo (16 months) brought to the Emergency Department at 23:50 by his mother with bruising to the left upper arm and right cheek. Mother said he fell from a sofa; the fingertip pattern of the arm bruising is not consistent with a fall. Mother appeared frightened and said her partner was waiting outside. Skeletal survey booked; paediatric registrar informed.8Àà÷ÚŸ4ªg0Exampleton General Hospital Emergency DepartmentÀà÷ÚŸ4"*Dr Priya Nair, ED registrar, 01632 960 411
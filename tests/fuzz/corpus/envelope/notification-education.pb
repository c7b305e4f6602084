
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 RÓ
CSP-DSL-2026-0031k
c1U820200123045Maya"Hartley*
2019-03-010:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBpupil
a1Jess"Hartley0Bmother"
a1c1parent(2ÑMaya's attendance has fallen to 84% this year with 18 unauthorised sessions, mostly Mondays. She often arrives late and hungry, in the same uniform for several days. She was suspended for a day in October after hitting a teaching assistant and told staff she is 'tired of the noise at home'. Mother has not attended two meetings offered.8ÀÙÐÌŸ4²B(Canal Street Primary School (URN 100123)T *Mrs Helen Carter
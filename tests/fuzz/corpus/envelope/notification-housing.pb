
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 Rõ
EXH-TS-2026-0457l
c1HSG-P-104412housingMaya"Hartley*
2019-03-010:.
Flat 3
12 Canal Street
ExampletonEX1 2ABk
c2HSG-P-104413housingLeo"Hartley*
2024-07-150:.
Flat 3
12 Canal Street
ExampletonEX1 2ABt
a1HSG-P-104411housingJess"Hartley*
1994-05-200:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBtenant"
a1c1parent"
a1c2parent(2ÌRent arrears on tenancy EXH/0412/03 have reached GBP 1,240.50 and a notice of seeking possession was served on 15 October 2026. The tenant, a mother of two young children, has not engaged with the tenancy sustainment officer. Neighbours have reported shouting and banging at night, and an unregistered adult man is seen at the flat.8€•Ù²™4ºEXH/0412/03’É

$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10ÄÇ∞à£4 Ç–

REQ-000001
ENQ-000001MASH-000001 (ÄÇ∞à£40Äˆûè£4:j
c1
9434765919Maya"Hartley*
2019-03-010:.
Flat 3
12 Canal Street
ExampletonEX1 2ABBwitness:`
c2
4010232137Leo"Hartley*
2024-07-150:.
Flat 3
12 Canal Street
ExampletonEX1 2ABB&What do you hold about these children?J#risk to the children"J Smith
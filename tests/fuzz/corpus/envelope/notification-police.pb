
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 RÌ
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
INC-2026-11-0042À©«± 4PC 4411 Sam Okafor"sam.okafor@police.example.uk*c1*c228@H
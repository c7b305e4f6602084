
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 Rä
PPN-2026-000131X
c1Q820200001234Ava"Collins*
2020-01-300:#
27 Mill Lane
ExampletonEX4 7QP
a1Dawn"CollinsBmother"
a1c1parent(2•Officers attending a burglary report found the home cold, little food in the kitchen and the child unwashed. Information only: no offence identified.8€ÿ†œ¡4¢&
INC-2026-11-0101PC 3120 Priya Nair
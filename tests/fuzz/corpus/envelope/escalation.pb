
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 ¢{

ESC-000001
ENQ-000001
REQ-000002"MASH-000001*	education0:overdueBagency_duty_leadBhub_team_managerH€ö£4Pèı£4X
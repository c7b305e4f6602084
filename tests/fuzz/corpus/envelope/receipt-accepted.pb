
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10$0b6f3d1e-2a4c-4e8f-b1d2-7c9a5e3f1a20€‚°ˆ£4 ZMASH-000001"
ENQ-000001
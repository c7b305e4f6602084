
$5f0c7a52-8d1e-4c8b-9a57-3e1f2b6c9d10€‚°ˆ£4 zq
MASH-000001policehealth	educationhousing"#risk to the children"J Smith*J Smith2DASH high risk
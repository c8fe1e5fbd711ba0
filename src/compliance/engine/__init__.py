"""The judging stage: rule packs loaded once (the rule book), and the engine that judges every
obligation of a record as of a date into findings — facts only; their words are the report
stage's (`compliance.report.messages`), made only when a finding is written."""

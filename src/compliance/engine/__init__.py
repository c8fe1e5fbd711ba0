"""The judging stage: rule packs loaded once (the rule book), the engine that judges every
obligation of a record as of a date, the findings it produces and their words, and the legal
tests that check it as data."""

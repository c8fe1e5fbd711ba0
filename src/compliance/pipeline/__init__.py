"""The pipeline stage: inputs -> ledger -> engine -> sinks, in one process or over `--jobs`
processes, findings delivered in SPEC §7's order."""

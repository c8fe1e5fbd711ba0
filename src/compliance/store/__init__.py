"""The history store (SPEC §12): what each run found, kept as changes per obligation."""

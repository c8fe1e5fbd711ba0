"""The report stage: the report's models, a finding as JSON, the atomic output file and the
renderers of every `--format`. Nothing is imported here, so that `import compliance` stays
free of the human formats (rich, XlsxWriter)."""

"""The built-in rule catalogue: YAML data files, shipped as package data."""

"""Importers (SPEC §13): records from where they live — Traffy Fondue exports and spreadsheet
registers — into the JSON Lines records of SPEC §3, each validated by the record models before
it is written, so an import never produces a record the audit would refuse."""

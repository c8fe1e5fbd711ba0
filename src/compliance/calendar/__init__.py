"""The calendar stage: Thai dates, the government working calendar (SPEC §4.5) and the period
calculator that turns "within N days from X" into a due date with its arithmetic."""

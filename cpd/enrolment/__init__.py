"""Enrol a cohort from a ministry's spreadsheet: upload, preview, confirm, report."""

"""The spreadsheet import and export engine: readers, column specs, planning, applying, writers."""

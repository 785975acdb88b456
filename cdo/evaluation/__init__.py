"""The annual evaluation: points, suggestions from records, finalize, the annual workbook."""

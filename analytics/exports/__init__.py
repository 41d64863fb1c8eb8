"""CSV, XLSX and PDF exports of the reports (issue 11, point 3)."""

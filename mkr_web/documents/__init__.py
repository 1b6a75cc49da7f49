"""Document output: PDF rendering (WeasyPrint, sandboxed), XLSX/CSV writers, file storage."""

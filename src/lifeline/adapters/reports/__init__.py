"""Report writers: JSON, CSV (the report and the k-anonymous state export) and PDF (matplotlib,
with a font that renders Devanagari)."""

"""The encrypted backup archive."""

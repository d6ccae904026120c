"""Retention: the daily purge of ended cases' personal data, legal holds, and erasure of one
person's data on request (docs/data-protection.md)."""

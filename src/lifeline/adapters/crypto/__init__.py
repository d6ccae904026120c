"""Encryption of personal data, keyed hashes for lookups, password hashing."""

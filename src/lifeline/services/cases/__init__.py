"""Cases: reading and moving cases, audited, and their read models."""

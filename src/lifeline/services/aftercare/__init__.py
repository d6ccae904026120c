"""Aftercare: follow-up plans, counsellors' check-ins and repeat risk."""

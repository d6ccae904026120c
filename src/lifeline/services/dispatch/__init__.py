"""Dispatch: routing a located case to units, escalation, notifications, briefs and
acknowledgements."""

"""Intake adapters: SMTP server, IMAP poller, email parsing."""

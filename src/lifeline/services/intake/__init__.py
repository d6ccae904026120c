"""Intake: alerts stored verbatim and merged into cases; alert mail and its quarantine."""

"""Keeping the job table small: finished jobs are deleted after a while (docs/operations.md)."""

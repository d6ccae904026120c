"""Notification channels and event sinks."""

"""Lifeline: alert-response system for a police social media centre."""

__version__ = "0.1.0"

"""Triage: the model's reading of each alert's post and the operator's confirmation."""

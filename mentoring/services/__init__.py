"""Writes for mentoring: pairing, conversations and check-ins."""

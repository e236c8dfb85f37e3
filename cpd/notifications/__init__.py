"""Notifications that reach a health worker off the platform (app, email, SMS, push)."""

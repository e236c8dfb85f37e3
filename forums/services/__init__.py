"""Writes of the forums app, one module per concern."""

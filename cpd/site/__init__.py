"""Project composition: the root URLconf, the WebSocket routes and the home page.

This package is the only part of ``cpd`` that may import the apps above it
(``courses``, ``forums``, ``mentoring``); the people-and-cohorts code in the
rest of ``cpd`` imports none of them (checked by import-linter, see
``pyproject.toml``).
"""

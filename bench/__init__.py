"""Benchmarks: scripts run from the checkout (docs/benchmarks.md)."""

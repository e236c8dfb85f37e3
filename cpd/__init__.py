"""Project package and the people-and-cohorts app."""

from cpd.celery import app as celery_app

__all__ = ["celery_app"]

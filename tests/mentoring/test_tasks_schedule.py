"""Celery beat runs the check-in reminder sweep."""

from cpd.celery import app


def test_beat_schedules_the_reminder_sweep():
    app.loader.import_default_modules()  # what a worker does at start-up
    entry = app.conf.beat_schedule["mentoring-checkin-reminders"]
    assert entry["task"] == "mentoring.tasks.checkin_reminders_queue"
    assert entry["task"] in app.tasks

"""WSGI entry point: plain HTTP through gunicorn in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.settings.dev")

application = get_wsgi_application()

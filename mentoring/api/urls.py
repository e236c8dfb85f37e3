"""REST endpoints of the mentoring app (mounted under /api/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

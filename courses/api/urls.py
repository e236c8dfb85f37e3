"""REST endpoints of the courses app (mounted under /api/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

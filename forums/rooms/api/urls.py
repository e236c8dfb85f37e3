"""REST endpoints of the case rooms (mounted under /api/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""REST endpoints of the forums app (mounted under /api/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

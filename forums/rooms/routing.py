"""WebSocket routes of the case rooms."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []

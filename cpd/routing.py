"""Every WebSocket route of the platform, collected from the apps."""

from django.urls import path

from cpd.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]

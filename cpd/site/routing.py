"""Every WebSocket route of the platform, collected from the apps."""

from django.urls import path

from cpd.consumers import NotificationConsumer
from forums.rooms.routing import websocket_urlpatterns as room_routes

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    *room_routes,
]

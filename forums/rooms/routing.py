"""WebSocket routes of the case rooms."""

from django.urls import URLPattern, path

from forums.rooms.consumers.case_room import CaseRoomConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/rooms/<int:room_id>/", CaseRoomConsumer.as_asgi()),
]

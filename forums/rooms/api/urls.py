"""REST endpoints of the case rooms (mounted under /api/)."""

from django.urls import path

from forums.rooms.api import views

urlpatterns = [
    path("rooms/", views.RoomListApi.as_view(), name="api-room-list"),
    path("rooms/<int:room_id>/", views.RoomDetailApi.as_view(), name="api-room-detail"),
    path(
        "rooms/<int:room_id>/messages/",
        views.RoomMessagesApi.as_view(),
        name="api-room-messages",
    ),
]

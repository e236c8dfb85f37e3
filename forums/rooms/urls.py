"""Pages of the case rooms."""

from django.urls import path

from forums.rooms import views

urlpatterns = [
    path("", views.room_list, name="rooms-home"),
    path("new/<int:cohort_id>/", views.room_new, name="rooms-new"),
    path("<int:room_id>/", views.room_detail, name="rooms-room"),
    path("<int:room_id>/poll/", views.room_poll, name="rooms-poll"),
    path("<int:room_id>/post/", views.message_post, name="rooms-post"),
    path("<int:room_id>/<str:action>/", views.room_control, name="rooms-control"),
    path("<int:room_id>/m/<int:seq>/hide/", views.message_hide, name="rooms-hide"),
]

"""Pages of the forums section."""

from django.urls import path

from forums import views

urlpatterns = [
    path("", views.forum_list, name="forums-home"),
    path("search/", views.search, name="forums-search"),
    path(
        "cohorts/<int:cohort_id>/reply-network.csv",
        views.cohort_reply_network_csv,
        name="forums-reply-network-csv",
    ),
    path("moderation/", views.moderation_queue, name="forums-moderation"),
    path(
        "reports/<int:report_id>/resolve/",
        views.report_resolve,
        name="forums-report-resolve",
    ),
    path("<int:forum_id>/", views.thread_list, name="forums-forum"),
    path("<int:forum_id>/new/", views.thread_create, name="forums-thread-new"),
    path("t/<int:thread_id>/", views.thread_detail, name="forums-thread"),
    path("t/<int:thread_id>/reply/", views.post_create, name="forums-reply"),
    path("t/<int:thread_id>/follow/", views.thread_follow, name="forums-follow"),
    path("t/<int:thread_id>/pin/", views.thread_pin, name="forums-pin"),
    path("t/<int:thread_id>/lock/", views.thread_lock, name="forums-lock"),
    path("t/<int:thread_id>/move/", views.thread_move, name="forums-move"),
    path("p/<int:post_id>/edit/", views.post_edit, name="forums-post-edit"),
    path("p/<int:post_id>/delete/", views.post_delete, name="forums-post-delete"),
    path("p/<int:post_id>/helpful/", views.post_helpful, name="forums-helpful"),
    path("p/<int:post_id>/accept/", views.post_accept, name="forums-accept"),
    path("p/<int:post_id>/report/", views.post_report, name="forums-report"),
    path("p/<int:post_id>/hide/", views.post_hide, name="forums-hide"),
]

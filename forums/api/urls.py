"""REST endpoints of the forums app (mounted under /api/)."""

from django.urls import path

from forums.api import views as v

urlpatterns = [
    path("forums/", v.ForumListApi.as_view(), name="api-forum-list"),
    path(
        "cohorts/<int:cohort_id>/report/social/",
        v.CohortSocialReportApi.as_view(),
        name="api-cohort-social-report",
    ),
    path(
        "cohorts/<int:cohort_id>/report/social/links/",
        v.CohortReplyLinksApi.as_view(),
        name="api-cohort-reply-links",
    ),
    path("forums/search/", v.SearchApi.as_view(), name="api-forum-search"),
    path("forums/reports/", v.ReportQueueApi.as_view(), name="api-forum-reports"),
    path(
        "forums/<int:forum_id>/threads/",
        v.ThreadListApi.as_view(),
        name="api-thread-list",
    ),
    path(
        "threads/<int:thread_id>/",
        v.ThreadDetailApi.as_view(),
        name="api-thread-detail",
    ),
    path(
        "threads/<int:thread_id>/posts/", v.PostListApi.as_view(), name="api-post-list"
    ),
    path(
        "threads/<int:thread_id>/follow/",
        v.ThreadFollowApi.as_view(),
        name="api-thread-follow",
    ),
    path(
        "threads/<int:thread_id>/accept/",
        v.ThreadAcceptApi.as_view(),
        name="api-thread-accept",
    ),
    path(
        "threads/<int:thread_id>/pin/", v.ThreadPinApi.as_view(), name="api-thread-pin"
    ),
    path(
        "threads/<int:thread_id>/lock/",
        v.ThreadLockApi.as_view(),
        name="api-thread-lock",
    ),
    path(
        "threads/<int:thread_id>/move/",
        v.ThreadMoveApi.as_view(),
        name="api-thread-move",
    ),
    path("posts/<int:post_id>/", v.PostEditApi.as_view(), name="api-post-edit"),
    path(
        "posts/<int:post_id>/helpful/",
        v.PostHelpfulApi.as_view(),
        name="api-post-helpful",
    ),
    path(
        "posts/<int:post_id>/report/", v.PostReportApi.as_view(), name="api-post-report"
    ),
    path("posts/<int:post_id>/hide/", v.PostHideApi.as_view(), name="api-post-hide"),
]

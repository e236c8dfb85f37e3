"""URL root: pages, accounts, admin, API, schema."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from cpd import offline, views

admin.site.site_header = _("CPD administration")
# Django admin signs in through allauth's form, so one login path and one throttle.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("cohorts/switch/", views.cohort_switch, name="cohort-switch"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort-detail"),
    path("invite/<str:token>/", views.invitation_open, name="invitation-open"),
    path("profile/", views.profile, name="profile"),
    path(
        "images/<int:image_id>/<str:size>/",
        views.image_file,
        name="image-file",
    ),
    path("language/", set_language, name="set-language"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("offline/", offline.offline_page, name="offline"),
    path("courses/", include("courses.urls")),
    path("forums/", include("forums.urls")),
    path("rooms/", include("forums.rooms.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include("cpd.api.urls")),
    path("admin/", admin.site.urls),
]

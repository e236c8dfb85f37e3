"""URL root: the home page, each app's pages, accounts, admin and the API."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cpd import health
from cpd.site import views

admin.site.site_header = _("CPD administration")
# Django admin signs in through allauth's form, so one login path and one throttle.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler500 = "cpd.health.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", views.home, name="home"),
    path("", include("cpd.urls")),
    path("", include("cpd.learner_report.urls")),
    path("notifications/", include("cpd.notifications.urls")),
    path("privacy/", include("cpd.privacy.urls")),
    path("enrolment/", include("cpd.enrolment.urls")),
    path("courses/", include("courses.urls")),
    path("forums/", include("forums.urls")),
    path("rooms/", include("forums.rooms.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/", include("cpd.api.urls")),
    path("api/", include("cpd.learner_report.api_urls")),
    path("api/", include("cpd.notifications.api_urls")),
    path("api/", include("cpd.privacy.api.urls")),
    path("api/", include("cpd.enrolment.api")),
    path("api/", include("courses.api.urls")),
    path("api/", include("forums.api.urls")),
    path("api/", include("forums.rooms.api.urls")),
    path("api/", include("mentoring.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

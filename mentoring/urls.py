"""Pages of the mentoring section."""

from django.urls import path

from cpd.views import section_placeholder

urlpatterns = [
    path("", section_placeholder, {"section": "mentoring"}, name="mentoring-home"),
]

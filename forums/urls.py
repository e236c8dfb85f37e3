"""Pages of the forums section."""

from django.urls import path

from cpd.views import section_placeholder

urlpatterns = [
    path("", section_placeholder, {"section": "forums"}, name="forums-home"),
]

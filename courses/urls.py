"""Pages of the courses section."""

from django.urls import path

from cpd.views import section_placeholder

urlpatterns = [
    path("", section_placeholder, {"section": "courses"}, name="courses-home"),
]

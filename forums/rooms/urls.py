"""Pages of the case rooms."""

from django.urls import path

from cpd.views import section_placeholder

urlpatterns = [
    path("", section_placeholder, {"section": "rooms"}, name="rooms-home"),
]

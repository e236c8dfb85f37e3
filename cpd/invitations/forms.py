"""Forms of the invitations page, the join-code page and the claim flow."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.invitations.selectors import STATUSES
from cpd.models import Role


def _end_of_day(day: dt.date) -> dt.datetime:
    """An expiry chosen as a date lasts to the end of that day (local time)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=lambda: [("", _("All")), *STATUSES.items()],
    )


class ExpiryForm(forms.Form):
    """A new expiry date for an invitation."""

    expires_on = forms.DateField(
        label=_("Expires on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_expires_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["expires_on"]
        if _end_of_day(day) <= timezone.now():
            raise forms.ValidationError(_("Choose a date in the future."))
        return day

    @property
    def expires_at(self) -> dt.datetime:
        return _end_of_day(self.cleaned_data["expires_on"])


class JoinLinkForm(forms.Form):
    """An administrator shares a join link for a workshop room."""

    role = forms.ChoiceField(label=_("They join as"), choices=Role.choices)
    max_uses = forms.IntegerField(
        label=_("How many people may join"), min_value=1, max_value=1000, initial=30
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=lambda: timezone.localdate() + dt.timedelta(days=1),
    )

    def clean_expires_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["expires_on"]
        if _end_of_day(day) <= timezone.now():
            raise forms.ValidationError(_("Choose a date in the future."))
        return day

    @property
    def expires_at(self) -> dt.datetime:
        return _end_of_day(self.cleaned_data["expires_on"])


class JoinCodeForm(forms.Form):
    """Type the code a facilitator reads out or shows."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off"}
        ),
    )

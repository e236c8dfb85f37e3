"""Forms for notification preferences and quiet hours."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpd.notifications.models import Channel, Mode, QuietHours


class PreferencesForm(forms.Form):
    """One select per kind and channel."""

    def __init__(
        self, *args: Any, table: list[tuple[Any, dict[str, str]]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.table = table
        for kind, modes in table:
            for channel, label in Channel.choices:
                self.fields[f"{kind.name}:{channel}"] = forms.ChoiceField(
                    label=f"{kind.label} — {label}",
                    choices=Mode.choices,
                    initial=modes[channel],
                )

    def rows(self) -> list[tuple[Any, list[Any]]]:
        return [
            (kind, [self[f"{kind.name}:{channel}"] for channel in Channel.values])
            for kind, _modes in self.table
        ]

    def choices(self) -> dict[tuple[str, str], str]:
        out = {}
        for name, value in self.cleaned_data.items():
            kind, channel = name.rsplit(":", 1)
            out[(kind, channel)] = value
        return out


class QuietHoursForm(forms.ModelForm):
    class Meta:
        model = QuietHours
        fields = ["starts", "ends", "time_zone"]
        widgets = {
            "starts": forms.TimeInput(attrs={"type": "time"}),
            "ends": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"time_zone": _("For example Africa/Nairobi.")}

    def clean_time_zone(self) -> str:
        value = str(self.cleaned_data.get("time_zone") or "UTC").strip()
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise forms.ValidationError(_("Unknown time zone.")) from error
        return value

    def values(self) -> tuple[dt.time | None, dt.time | None, str]:
        return (
            self.cleaned_data.get("starts"),
            self.cleaned_data.get("ends"),
            str(self.cleaned_data.get("time_zone") or "UTC"),
        )

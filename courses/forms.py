"""Forms of the courses pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Module
from cpd.models import User

_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class SessionForm(forms.Form):
    """Schedule a face-to-face session; choices come from the cohort."""

    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=_FORMATS,
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=_FORMATS,
    )
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False
    )
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"), queryset=User.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, modules: Any = None, facilitators: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = modules  # type: ignore[attr-defined]
        self.fields["module"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.course.title} · {m.title}"
        )
        self.fields["facilitator"].queryset = facilitators  # type: ignore[attr-defined]


class CheckInCodeForm(forms.Form):
    """A learner types the short code the facilitator shows."""

    code = forms.CharField(
        label=_("Code on the screen"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class CheckInScanForm(forms.Form):
    """The window and signature from a scanned QR code, posted back to confirm."""

    w = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    s = forms.CharField(max_length=64, widget=forms.HiddenInput)


class SurveyItemForm(forms.Form):
    """One survey item's wording and kind (the service checks the rest)."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[], initial="likert", required=False
    )
    text = forms.CharField(
        label=_("Statement or question"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from courses.models import SurveyItemKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SurveyItemKind.choices  # type: ignore[attr-defined]

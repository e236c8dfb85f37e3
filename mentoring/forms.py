"""Forms for messages, check-ins, mentor profiles and pairing changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cpd.forms import LIST_SEPARATORS
from mentoring.models import CheckInMode, PairingMode, Specialty
from mentoring.services.conversations import MAX_MESSAGE_LENGTH


def _split(value: str) -> list[str]:
    return sorted({v.strip() for v in LIST_SEPARATORS.split(value or "") if v.strip()})


class MessageForm(forms.Form):
    """A message with an optional photo (the service checks and re-encodes it)."""

    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # A FileField, not an ImageField: cpd.images decides by decoding the content.
    image = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    no_identifiers_confirmed = forms.BooleanField(
        label=_("This photo shows no patient name, face, number or other identifier"),
        required=False,
    )


class CheckInForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    mode = forms.ChoiceField(label=_("How"), choices=CheckInMode.choices)
    agreed_actions = forms.CharField(
        label=_("Agreed actions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CheckInRecordForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agreed_actions = forms.CharField(
        label=_("Agreed actions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    done = forms.BooleanField(label=_("Done"), required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong?"), max_length=200)


class MentorProfileForm(forms.Form):
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=Specialty.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=lambda: list(settings.LANGUAGES),
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.CharField(
        label=_("Districts"),
        required=False,
        max_length=500,
        help_text=_("Separate with commas."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity (max mentees)"), min_value=0, max_value=200
    )
    availability = forms.CharField(
        label=_("Availability"), required=False, max_length=200
    )

    def clean_districts(self) -> list[str]:
        return _split(self.cleaned_data.get("districts", ""))


class PairingPreviewForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=PairingMode.choices)


class ReassignForm(forms.Form):
    learner = forms.TypedChoiceField(label=_("Learner"), coerce=int)
    mentor = forms.TypedChoiceField(
        label=_("New mentor"), coerce=int, empty_value=None, required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, learners: Any = (), mentors: Any = (), **kw: Any):
        super().__init__(*args, **kw)
        learner_field = self.fields["learner"]
        mentor_field = self.fields["mentor"]
        assert isinstance(learner_field, forms.ChoiceField)  # noqa: S101
        assert isinstance(mentor_field, forms.ChoiceField)  # noqa: S101
        learner_field.choices = [(u.pk, str(u)) for u in learners]
        mentor_field.choices = [("", _("— no mentor —"))] + [
            (u.pk, str(u)) for u in mentors
        ]

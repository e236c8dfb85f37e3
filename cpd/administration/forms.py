"""Forms of the administrator's area: a cohort, the members filter, a role."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cpd import cohort_hooks
from cpd.models import Cohort, Role


def errors_to_form(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its fields where it can."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _DateInput(forms.DateInput):
    input_type = "date"


class CohortForm(forms.Form):
    """A cohort's details and its courses (checked boxes, no script needed)."""

    name = forms.CharField(label=_("Name"), max_length=160)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=_DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=_DateInput)
    phone_region = forms.CharField(
        label=_("Country for local phone numbers"),
        max_length=2,
        required=False,
        help_text=_(
            "Two letters, e.g. KE. Numbers without +code are read as this country's."
        ),
    )
    room_retention_days = forms.IntegerField(
        label=_("Keep case-room messages for (days after the room closes)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty to keep them."),
    )
    courses = forms.TypedMultipleChoiceField(
        label=_("Courses"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["courses"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101
        field.choices = [(c.id, c.title) for c in cohort_hooks.course_choices()]

    @classmethod
    def initial_for(cls, cohort: Cohort) -> dict[str, Any]:
        return {
            "name": cohort.name,
            "description": cohort.description,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "phone_region": cohort.phone_region,
            "room_retention_days": cohort.room_retention_days,
            "courses": cohort_hooks.courses_of(cohort),
        }

    def clean_phone_region(self) -> str:
        return (self.cleaned_data.get("phone_region") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end comes after the start."))
        return cleaned


class MemberFilterForm(forms.Form):
    """Filter a cohort's members by role and by name, email or phone."""

    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    q = forms.CharField(label=_("Name, email or phone"), required=False, max_length=80)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class PairingRunForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Pairing"),
        choices=[("one_to_one", _("One to one")), ("group", _("Group"))],
    )

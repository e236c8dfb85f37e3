"""Forms for sign-up profile fields, invitations and profile edits; form errors."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cpd.limits import TOO_MANY_REQUESTS, RateLimited
from cpd.models import Cadre, Role, User

# Lists typed in one field (tags, specialties): the Latin comma, or the Arabic
# one (U+060C) that Arabic keyboards type.
LIST_SEPARATORS = re.compile("[,\u060c]")


def rate_limit_error(form: forms.BaseForm, exc: RateLimited) -> int:
    """Show a rate limit on the form (non-field error); the page's status, 429.

    The one mapping of ``RateLimited`` for pages: the view re-renders the
    bound form, so what the user wrote is kept for when the wait is over.
    """
    form.add_error(None, str(exc))
    return TOO_MANY_REQUESTS


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth subclasses this)."""

    display_name = forms.CharField(
        label=_("Your name as others will see it"), max_length=80
    )
    cadre = forms.ChoiceField(
        label=_("Cadre"), choices=[("", "—"), *Cadre.choices], required=False
    )
    facility = forms.CharField(label=_("Facility"), max_length=120, required=False)
    district = forms.CharField(label=_("District"), max_length=120, required=False)
    # The language the page is in: the invitation's, or the visitor's browser's.
    preferred_language = forms.ChoiceField(
        label=_("Language"), choices=_languages, initial=translation.get_language
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # allauth mixes this class into its sign-up form, which has both fields.
        if (
            "email" in self.fields
            and not cleaned.get("email")
            and not cleaned.get("phone")
        ):
            raise forms.ValidationError(
                _("Give an email address or a phone number (or both).")
            )
        return cleaned

    def signup(self, request: Any, user: User) -> None:
        """allauth calls this after creating the user: store the profile fields."""
        user.display_name = self.cleaned_data["display_name"]
        user.cadre = self.cleaned_data.get("cadre") or ""
        user.facility = self.cleaned_data.get("facility") or ""
        user.district = self.cleaned_data.get("district") or ""
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.save()


class InvitationForm(forms.Form):
    """An administrator invites one person to a cohort."""

    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    phone = forms.RegexField(
        label=_("Phone number"),
        regex=r"^\+[1-9]\d{6,14}$",
        required=False,
        error_messages={"invalid": _("Use international format, e.g. +254712345678.")},
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(
        label=_("Their language"),
        required=False,
        choices=lambda: [("", _("Let them choose")), *_languages()],
        help_text=_("The invitation and the sign-up page are in this language."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number."))
        return cleaned


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves."""

    preferred_language = forms.ChoiceField(label=_("Language"), choices=_languages)

    class Meta:
        model = User
        fields = User.PROFILE_FIELDS

"""Forms of the forum pages; rules live in services, forms only parse."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cpd.forms import LIST_SEPARATORS
from forums.models import BUILT_IN_TAGS, Forum

TAG_LABELS = {"case": _("Case"), "question": _("Question"), "resource": _("Resource")}


def _new_key() -> str:
    return uuid.uuid4().hex


class _PostFields(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: **bold**, *italic*, > quote, - list. @name mentions."),
    )
    image = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("Location and camera data are removed on upload."),
    )
    no_identifiers_confirmed = forms.BooleanField(
        label=_("This holds no patient name, face, number or other identifier"),
        required=False,
    )
    # Generated when the form is first shown; a resubmit reuses it.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, max_length=64, initial=_new_key
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    tags = forms.MultipleChoiceField(
        label=_("Tags"),
        required=False,
        choices=[(t, TAG_LABELS[t]) for t in BUILT_IN_TAGS],
        widget=forms.CheckboxSelectMultiple,
    )
    other_tags = forms.CharField(
        label=_("Other tags"),
        required=False,
        max_length=120,
        help_text=_("Separate with commas, e.g. pph, anaemia"),
    )
    body = _PostFields.base_fields["body"]
    image = _PostFields.base_fields["image"]
    no_identifiers_confirmed = _PostFields.base_fields["no_identifiers_confirmed"]
    idempotency_key = _PostFields.base_fields["idempotency_key"]

    def all_tags(self) -> list[str]:
        extra = [
            t.strip() for t in LIST_SEPARATORS.split(self.cleaned_data["other_tags"])
        ]
        return [*self.cleaned_data["tags"], *[t for t in extra if t]]


class ReplyForm(_PostFields):
    pass


class PostEditForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class MoveForm(forms.Form):
    forum = forms.ModelChoiceField(label=_("Move to"), queryset=Forum.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, forums: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["forum"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = forums


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search past discussions"), max_length=200, required=False
    )
    tag = forms.SlugField(label=_("Tag"), required=False)
    forum = forms.IntegerField(required=False, widget=forms.HiddenInput)

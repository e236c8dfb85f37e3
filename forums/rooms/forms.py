"""Forms of the case-room pages (the no-JavaScript path)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from forums.rooms.services import MAX_MESSAGE_CHARS


class MessageForm(forms.Form):
    """One message; the hidden key makes a resubmitted form store it once."""

    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    image = forms.FileField(label=_("Photo (optional)"), required=False)
    no_identifiers_confirmed = forms.BooleanField(
        label=_("This photo shows no patient name, face, number or other identifier"),
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4().hex)


class MessageFrameForm(MessageForm):
    """A message sent over the socket: the page form's rules, an image by id.

    The same field rules as the page (length, NUL, key) so a message refused
    on one path is refused on the other with the same words.
    """

    image = forms.IntegerField(required=False, min_value=1)  # type: ignore[assignment]
    no_identifiers_confirmed = None  # type: ignore[assignment]  # photos by id


class CaseRoomForm(forms.Form):
    """A mentor opens a room for one case."""

    title = forms.CharField(label=_("Case title"), max_length=160)
    case_summary = forms.CharField(
        label=_("Case summary (no patient identifiers)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)

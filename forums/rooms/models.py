"""Case rooms: live discussion per cohort, every message numbered and stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpd.models import Cohort, Image


class RoomKind(models.TextChoices):
    STANDING = "standing", _("Cohort room")
    CASE = "case", _("Case room")


class RoomState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed (read-only)")
    ARCHIVED = "archived", _("Archived to the forum")


class Room(models.Model):
    """A live room of one cohort: its standing room, or a case a mentor opened."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="rooms")
    kind = models.CharField(max_length=10, choices=RoomKind.choices)
    title = models.CharField(_("title"), max_length=160)
    case_summary = models.TextField(_("case summary"), blank=True)
    state = models.CharField(
        max_length=10, choices=RoomState.choices, default=RoomState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seq = models.PositiveIntegerField(default=0)
    archived_thread_id = models.PositiveBigIntegerField(null=True, blank=True)
    # When it stopped being open (retention counts from here), and when the
    # cohort's retention rule deleted its messages.
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=models.Q(kind="standing"),
                name="room_one_standing_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == RoomState.OPEN


class RoomMessage(models.Model):
    """One message; ``seq`` numbers a room's messages 1, 2, 3… with no gaps."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    body_html = models.TextField()
    client_key = models.CharField(max_length=64)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="room_message_seq"),
            models.UniqueConstraint(
                fields=["room", "author", "client_key"], name="room_message_client_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class RoomPresence(models.Model):
    """One open socket on a room, shared by every server process through the DB.

    Rows of a crashed process stop being refreshed and fall out of "who is
    here" once ``seen_at`` is older than the heartbeat allowance.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presence")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    channel_name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["room", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id}"

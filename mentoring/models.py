"""Mentor profiles, pairings and their audit log, private conversations, check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.models import Cohort, Image

# Mentees per cohort for a mentor without a profile (and a new profile's default).
DEFAULT_CAPACITY = 5


class Specialty(models.Model):
    """A managed area of expertise, with the cadres it fits best."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    cadres = models.JSONField(
        _("cadres it fits"),
        default=list,
        blank=True,
        help_text=_("Cadre codes (e.g. nurse, midwife) this specialty serves well."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self) -> str:
        return self.name


class MentorProfile(models.Model):
    """What a mentor offers: specialties, languages, districts and how many mentees."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor_profile",
    )
    specialties = models.ManyToManyField(
        Specialty, blank=True, related_name="mentors", verbose_name=_("specialties")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    districts = models.JSONField(_("districts"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity (max mentees per cohort)"), default=DEFAULT_CAPACITY
    )
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("mentor profile")
        verbose_name_plural = _("mentor profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.capacity})"


class PairingMode(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One to one")
    GROUP = "group", _("Group")


class Pairing(models.Model):
    """A learner paired with a mentor in a cohort, alone or within a mentor's group."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    mode = models.CharField(
        _("mode"),
        max_length=12,
        choices=PairingMode.choices,
        default=PairingMode.ONE_TO_ONE,
    )
    group_key = models.CharField(_("group id"), max_length=40, blank=True)
    group_name = models.CharField(_("group name"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort_id", "mentor_id", "learner_id"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            # A learner has at most one active mentor (or group) per cohort.
            models.UniqueConstraint(
                fields=["cohort", "learner"],
                condition=Q(active=True),
                name="pairing_one_active_per_learner",
            ),
        ]
        indexes = [models.Index(fields=["cohort", "mentor", "active"])]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.learner} ({self.cohort})"


class PairingChange(models.Model):
    """Audit log: who changed a learner's mentor, when, from whom to whom, and why."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    old_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    new_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pairing change")
        verbose_name_plural = _("pairing changes")

    def __str__(self) -> str:
        return f"{self.learner}: {self.old_mentor} → {self.new_mentor}"


class PairingRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Proposal ready")
    CONFIRMING = "confirming", _("Saving pairs")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")


class PairingRun(models.Model):
    """One automatic pairing of a cohort: its proposal (computed in the background),
    then, once an administrator confirms it, the pairs it saved."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=12, choices=PairingMode.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PairingRunStatus.choices,
        default=PairingRunStatus.QUEUED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Fingerprint of the cohort's members, active pairs and mentor profiles when the
    # proposal was computed: a confirm against changed inputs is refused.
    inputs_key = models.CharField(max_length=64, blank=True)
    result = models.JSONField(_("proposal"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pairing run")
        verbose_name_plural = _("pairing runs")
        indexes = [models.Index(fields=["cohort", "-created_at"])]

    def __str__(self) -> str:
        return f"pairing run {self.pk} ({self.status})"

    @property
    def is_working(self) -> bool:
        return self.status in {
            PairingRunStatus.QUEUED,
            PairingRunStatus.RUNNING,
            PairingRunStatus.CONFIRMING,
        }


class Conversation(models.Model):
    """A private thread between a mentor and one mentee or the mentor's group."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    group_key = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "mentor", "learner"],
                condition=Q(learner__isnull=False),
                name="conversation_one_per_pair",
            ),
            models.UniqueConstraint(
                fields=["cohort", "mentor", "group_key"],
                condition=Q(learner__isnull=True),
                name="conversation_one_per_group",
            ),
            models.CheckConstraint(
                condition=Q(learner__isnull=False) | ~Q(group_key=""),
                name="conversation_has_mentee_or_group",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"


class ConversationMember(models.Model):
    """A participant of a conversation and how far they have read."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_read_id = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="conversation_member_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.conversation_id}"


class Message(models.Model):
    """One message; Markdown rendered once to sanitised HTML on write."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    image = models.ForeignKey(
        Image, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    report_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"message {self.pk}"

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None


class CheckInMode(models.TextChoices):
    CALL = "call", _("Call")
    MESSAGE = "message", _("Message")
    IN_PERSON = "in_person", _("In person")


class CheckIn(models.Model):
    """A scheduled mentor check-in with notes and agreed actions."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="checkins"
    )
    scheduled_for = models.DateTimeField(_("when"))
    mode = models.CharField(
        _("mode"), max_length=12, choices=CheckInMode.choices, default=CheckInMode.CALL
    )
    notes = models.TextField(_("notes"), blank=True)
    agreed_actions = models.TextField(_("agreed actions"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"check-in {self.scheduled_for:%Y-%m-%d %H:%M}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.scheduled_for < timezone.now()

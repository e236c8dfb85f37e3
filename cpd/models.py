"""People, organisations, cohorts and who belongs to which cohort in what role."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Cadre(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    MIDWIFE = "midwife", _("Midwife")
    CLINICAL_OFFICER = "clinical_officer", _("Clinical officer")
    DOCTOR = "doctor", _("Doctor")
    COMMUNITY_HEALTH_WORKER = "chw", _("Community health worker")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender")


class AgeBand(models.TextChoices):
    UNDER_25 = "u25", _("Under 25")
    AGE_25_34 = "25-34", "25–34"
    AGE_35_44 = "35-44", "35–44"
    AGE_45_54 = "45-54", "45–54"
    AGE_55_UP = "55+", _("55 or over")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(
        self, email: str | None, password: str | None, **extra: Any
    ) -> User:
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A health worker, mentor or administrator; signs in by email or phone."""

    email = models.EmailField(_("email"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("International format, e.g. +254712345678."),
    )
    display_name = models.CharField(_("display name"), max_length=80)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, default="en"
    )
    cadre = models.CharField(
        _("cadre"), max_length=20, choices=Cadre.choices, blank=True
    )
    facility = models.CharField(_("facility"), max_length=120, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    demographics_consent = models.BooleanField(
        _("consent to use gender and age band in anonymous reports"), default=False
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True
    )
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, blank=True
    )
    data_saver = models.BooleanField(
        _("data saver"),
        default=False,
        help_text=_("Photos wait for a tap before they load, in their small size."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    # What a person may change about themselves (pages, API and services agree).
    PROFILE_FIELDS: ClassVar[tuple[str, ...]] = (
        "display_name",
        "preferred_language",
        "cadre",
        "facility",
        "district",
        "demographics_consent",
        "gender",
        "age_band",
        "data_saver",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or self.phone or f"user {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Empty strings would collide on the unique constraints; store NULL instead.
        self.email = self.email.strip().lower() if self.email else None
        self.phone = self.phone.strip() if self.phone else None
        if not self.demographics_consent:
            self.gender = ""
            self.age_band = ""
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)


class Organisation(models.Model):
    """A ministry, NGO, training institution or facility that runs cohorts."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(_("country"), max_length=80, blank=True)
    # SMS a month across the organisation's cohorts (None: no cap).
    sms_monthly_budget = models.PositiveIntegerField(
        _("SMS a month"), null=True, blank=True
    )
    admins = models.ManyToManyField(
        User,
        blank=True,
        related_name="administered_organisations",
        verbose_name=_("cohort administrators"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """A group of learners and mentors who learn together over a period."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Case-room messages and photos are deleted this many days after their room
    # closes (None: kept). Enforced by a beat task in forums.rooms.
    room_retention_days = models.PositiveIntegerField(
        _("keep case-room messages for (days after the room closes)"),
        null=True,
        blank=True,
    )
    # Phone numbers written without a country code (a ministry's spreadsheet)
    # are read as this country's (ISO 3166 alpha-2, e.g. KE).
    phone_region = models.CharField(
        _("country for local phone numbers"), max_length=2, blank=True
    )
    # An archived cohort stays readable and is closed for writing.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="cohort_unique_name_per_org"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="cohort_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    MENTOR = "mentor", _("Mentor")
    ADMIN = "admin", _("Cohort administrator")


class Membership(models.Model):
    """A person's one role in one cohort."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "role", "user__display_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="membership_one_role_per_cohort"
            ),
        ]
        indexes = [models.Index(fields=["user", "cohort"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.cohort}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A single-use link that lets one person sign up into a cohort in a role."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    # The invitee's language: their email and sign-up page are in it.
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Marked before the message goes out (so it goes at most once) ...
    sent_at = models.DateTimeField(null=True, blank=True)
    # ... and this once the email service or SMS gateway took it. Marked sent
    # but never taken (a worker killed in between) shows as "not confirmed".
    delivered_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The account an administrator made for the invitee (a spreadsheet
    # enrolment): opening the link lets them choose its password.
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email or self.phone} → {self.cohort}"

    @property
    def is_usable(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


def _join_code() -> str:
    # Eight characters without look-alikes (0/O, 1/I/L): read aloud in a room.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class JoinLink(models.Model):
    """A cohort's shared join link with a short code, for a workshop room.

    Anyone with the code joins the cohort as a learner, up to ``max_uses``
    people and until it expires or an administrator revokes it.
    """

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="join_links"
    )
    code = models.CharField(max_length=12, unique=True, default=_join_code)
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.LEARNER
    )
    max_uses = models.PositiveIntegerField(_("how many people may join"))
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("join link")
        verbose_name_plural = _("join links")
        constraints = [
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")),
                name="joinlink_uses_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.cohort}"

    @property
    def is_usable(self) -> bool:
        return (
            self.revoked_at is None
            and self.uses < self.max_uses
            and self.expires_at > timezone.now()
        )


def _image_path(instance: Image, filename: str) -> str:
    # Random names: a file's URL never reveals its owner, cohort or order.
    return f"img/{timezone.now():%Y/%m}/{secrets.token_hex(16)}-{filename}"


class Image(models.Model):
    """An uploaded picture, re-encoded without metadata, scoped to a cohort.

    Files are never served from a public media URL: ``image-file`` checks the
    viewer against the cohort first. ``cohort`` is empty for course material,
    which every signed-in user may see. A ``private`` image is not shown to the
    cohort: only its owner and the readers another app grants through
    ``cpd.policies.register_private_image_rule`` (e.g. a private conversation).
    """

    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="images"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="images"
    )
    full = models.FileField(upload_to=_image_path)
    small = models.FileField(upload_to=_image_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    no_identifiers_confirmed = models.BooleanField(
        _("I confirm this image shows no patient identifiers"), default=False
    )
    private = models.BooleanField(
        _("private"),
        default=False,
        help_text=_(
            "Not visible to the cohort; only to its owner and the readers of "
            "what it is attached to."
        ),
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return f"image {self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class TaskOutbox(models.Model):
    """A Celery task the platform owes, written in the transaction that owes it.

    The row commits with the write that needs the task (an invitation, a
    reminder), so a broker that is down when the request ends loses nothing: it
    is dispatched after commit when the broker answers, and otherwise by the
    beat sweep (``cpd.outbox``). Long delays are a ``due_at`` here, not a
    countdown in the broker, so the broker's visibility timeout stays short.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["due_at"],
                name="outbox_pending_due",
                condition=Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


class Verb(models.TextChoices):
    """What a learning-record statement says a person did (xAPI-style verbs)."""

    SIGNED_IN = "signed-in", _("signed in")
    OPENED = "opened", _("opened a lesson")
    READ = "read", _("read a lesson")
    COMPLETED = "completed", _("completed a lesson")
    ANSWERED = "answered", _("submitted a quiz")
    ATTENDED = "attended", _("attended a session")
    POSTED = "posted", _("started a thread")
    REPLIED = "replied", _("replied in a forum")
    HELPFUL = "helpful", _("marked a post helpful")
    ACCEPTED = "accepted", _("accepted an answer")
    ROOM_MESSAGE = "room-message", _("wrote in a case room")
    MENTOR_MESSAGE = "mentor-message", _("messaged a mentor or mentee")
    CHECKED_IN = "checked-in", _("had a mentor check-in")


# Verbs that count as social interaction in reports.
SOCIAL_VERBS = (
    Verb.POSTED,
    Verb.REPLIED,
    Verb.HELPFUL,
    Verb.ACCEPTED,
    Verb.ROOM_MESSAGE,
    Verb.MENTOR_MESSAGE,
    Verb.CHECKED_IN,
)


class Activity(models.Model):
    """One statement of the learning record: actor, verb, object, result, context.

    Append-only, written by every app through ``cpd.record.record`` in the
    transaction of the action it records. Shaped like an xAPI statement so it
    exports as one (``cpd.record.statements``).
    """

    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=20, choices=Verb.choices)
    object_type = models.CharField(max_length=30)
    object_id = models.BigIntegerField(null=True, blank=True)
    # context
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    course_id = models.BigIntegerField(null=True, blank=True)
    # result
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    success = models.BooleanField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    session_key = models.CharField(max_length=40, blank=True)
    client_key = models.CharField(max_length=80, blank=True)
    timestamp = models.DateTimeField(default=timezone.now)
    # The roll-up that counted this statement into ``ActivityDaily`` (its
    # ``RollupBatch``), set in the transaction that wrote the daily rows; None:
    # not rolled up yet, so reports read it here (cpd.record.rollup).
    rollup_batch = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "activities"
        indexes: ClassVar = [
            models.Index(fields=["actor", "timestamp"], name="activity_actor_time"),
            models.Index(fields=["cohort", "timestamp"], name="activity_cohort_time"),
            models.Index(fields=["timestamp"], name="activity_time"),
            # what the roll-up has not counted yet: today's, and late arrivals
            models.Index(
                fields=["timestamp"],
                name="activity_unrolled",
                condition=Q(rollup_batch__isnull=True),
            ),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["actor", "verb", "client_key"],
                condition=~Q(client_key=""),
                name="activity_once_per_client_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.object_type}:{self.object_id}"


class ActivityDaily(models.Model):
    """The record rolled up (cpd.record.rollup), one row per roll-up batch and
    day, person, cohort, course, verb and, for sign-ins, session.

    Everything a report counts from statements can be counted from these rows
    with the same result: the course and cohort (a report's scope), the day
    (days active), the sign-in's session key (distinct sessions), the count,
    the seconds and the last statement's time. Each statement is in exactly
    one row, the one of the batch that tagged it (``Activity.rollup_batch``).
    """

    batch = models.BigIntegerField(default=0)
    day = models.DateField()
    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # SET_NULL as on Activity: a deleted cohort's rows fall out of it alike.
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    course_id = models.BigIntegerField(null=True, blank=True)
    verb = models.CharField(max_length=20, choices=Verb.choices)
    # Sign-ins only (other verbs: ""), so distinct sessions count exactly.
    session_key = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField()
    duration_seconds = models.PositiveIntegerField(default=0)
    last = models.DateTimeField()

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["day"], name="activity_daily_day"),
            # A cohort report reads its learners' rows in actor order from
            # this index alone on PostgreSQL (an index-only scan).
            models.Index(
                fields=["actor", "day"],
                name="activity_daily_actor",
                include=[
                    "cohort",
                    "course_id",
                    "verb",
                    "session_key",
                    "count",
                    "duration_seconds",
                    "last",
                ],
            ),
            # and their sign-ins, for the distinct sessions
            models.Index(
                fields=["actor", "day"],
                name="activity_daily_signins",
                include=["cohort", "course_id", "session_key"],
                condition=Q(verb="signed-in"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.actor_id} {self.verb} x{self.count}"


class RollupBatch(models.Model):
    """One run of the roll-up: its id tags the statements it counted."""

    at = models.DateTimeField(default=timezone.now)
    statements = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"roll-up {self.pk}: {self.statements} statements, {self.rows} rows"


class AdminAction(models.TextChoices):
    COHORT_CREATED = "cohort-created", _("created the cohort")
    COHORT_UPDATED = "cohort-updated", _("changed the cohort")
    COHORT_ARCHIVED = "cohort-archived", _("archived the cohort")
    COHORT_UNARCHIVED = "cohort-unarchived", _("unarchived the cohort")
    ROLE_CHANGED = "role-changed", _("changed a member's role")
    MEMBER_REMOVED = "member-removed", _("removed a member")


class AdminLogEntry(models.Model):
    """Append-only log of what administrators did to cohorts and their members.

    Read through ``cpd.audit`` (the organisation's audit log page).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AdminAction.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes: ClassVar = [
            models.Index(
                fields=["organisation", "-created_at"], name="adminlog_org_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.detail}"

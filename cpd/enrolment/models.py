"""An uploaded enrolment spreadsheet and each of its rows, with verdict and outcome.

The rows are kept as read (``cells``) and as understood (the normalised
fields), so the preview, the confirmation and the report all speak of the same
row numbers as the administrator's spreadsheet, and no row is ever lost between
upload and report.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpd.models import Cohort, Role, User


class ImportStatus(models.TextChoices):
    READY = "ready", _("Checked, waiting for confirmation")
    APPLYING = "applying", _("Enrolling")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Verdict(models.TextChoices):
    NEW = "new", _("New person")
    JOIN = "join", _("Has an account, joins the cohort")
    UPDATE = "update", _("Already a member, will be updated")
    MEMBER = "member", _("Already a member, nothing to change")
    ERROR = "error", _("Error")


class Outcome(models.TextChoices):
    CREATED = "created", _("Account created and invited")
    ADDED = "added", _("Added to the cohort")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    SKIPPED = "skipped", _("Not enrolled")


class EnrolmentImport(models.Model):
    """One upload of a spreadsheet into one cohort."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="enrolment_imports"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    # What was understood of the file, shown on the preview.
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    columns = models.JSONField(default=dict)  # field -> header as written
    ignored_columns = models.JSONField(default=list)
    blank_rows = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.READY
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Verdict -> rows at upload; outcome -> rows once done.
    verdicts = models.JSONField(default=dict)
    outcomes = models.JSONField(default=dict)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why the last run of the task stopped, and at which row (cleared once a
    # later run goes past it). The task is retried; the page says so.
    error = models.CharField(max_length=300, blank=True)
    stopped_at_row = models.PositiveIntegerField(null=True, blank=True)
    # The earlier import of the very same file into this cohort, if any.
    same_as = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("spreadsheet enrolment")
        verbose_name_plural = _("spreadsheet enrolments")

    def __str__(self) -> str:
        return f"{self.filename} → {self.cohort}"

    @property
    def to_change(self) -> int:
        """Rows that would change something if confirmed."""
        return sum(
            self.verdicts.get(v, 0) for v in (Verdict.NEW, Verdict.JOIN, Verdict.UPDATE)
        )


class EnrolmentRow(models.Model):
    """One row of the spreadsheet, numbered as the spreadsheet numbers it."""

    enrolment = models.ForeignKey(
        EnrolmentImport, on_delete=models.CASCADE, related_name="rows"
    )
    number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(default=dict)  # header -> text, as read
    name = models.CharField(_("name"), max_length=80, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=Role.choices, default=Role.LEARNER
    )
    cadre = models.CharField(_("cadre"), max_length=20, blank=True)
    facility = models.CharField(_("facility"), max_length=120, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    mentor = models.CharField(_("mentor"), max_length=254, blank=True)
    verdict = models.CharField(_("check"), max_length=10, choices=Verdict.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    changes = models.JSONField(default=list)  # field names an update changes
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True
    )
    outcome_message = models.CharField(max_length=300, blank=True)
    # The mentor column is applied after every row (a mentor may be a later row).
    mentor_done = models.BooleanField(default=False)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["enrolment", "number"]
        verbose_name = _("spreadsheet row")
        verbose_name_plural = _("spreadsheet rows")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "number"], name="enrolment_row_unique_number"
            ),
        ]
        indexes = [models.Index(fields=["enrolment", "verdict"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id} #{self.number}"

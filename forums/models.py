"""Forums of a cohort: threads, posts, their history, marks, follows and moderation."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.models import Cohort, Image, User


class Forum(models.Model):
    """A discussion space of one cohort; every cohort has one default forum."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="forums")
    title = models.CharField(_("title"), max_length=120)
    description = models.CharField(_("description"), max_length=240, blank=True)
    is_default = models.BooleanField(default=False)
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forums",
        help_text=_("Set for the forum of one course in this cohort."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "position", "pk"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(is_default=True),
                name="forum_one_default_per_cohort",
            ),
            models.UniqueConstraint(
                fields=["cohort", "course"],
                condition=Q(course__isnull=False),
                name="forum_one_per_course_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.cohort}"


class Tag(models.Model):
    """A label for threads: the built-in case, question, resource, or a free tag."""

    name = models.SlugField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


BUILT_IN_TAGS = ("case", "question", "resource")


class Thread(models.Model):
    """A topic in a forum: its opening post is the first Post."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("title"), max_length=160)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="threads")
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    accepted_post = models.ForeignKey(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every write that changes how the thread's posts look (a reply,
    # an edit, a hide, a helpful mark, an accepted answer, an erasure): the
    # rendered post list is cached under it (forums/templates/.../thread_detail).
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-pk"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["forum", "-is_pinned", "-last_post_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def has_case_tag(self) -> bool:
        return any(tag.name == "case" for tag in self.tags.all())


class Post(models.Model):
    """One message in a thread: Markdown source and its sanitised HTML."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    images = models.ManyToManyField(Image, blank=True, related_name="+")
    mentions = models.ManyToManyField(User, blank=True, related_name="+")
    no_identifiers_confirmed = models.BooleanField(
        _("I confirm this post holds no patient identifiers"), default=False
    )
    # Client-generated; (author, key) is unique so a retried submit finds its post.
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Filled on PostgreSQL only (thread title weighted A, body B); GIN-indexed.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="post_idempotency_key_unique_per_author",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            # Search ranks only the newest matches (FORUMS_SEARCH_MAX_RANKED):
            # for a common word this lets PostgreSQL walk posts newest first and
            # stop at the cap instead of sorting every match.
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="forums_post_newest_live",
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in {self.thread_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """The text of a post before one edit, and who edited it when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"revision of post {self.post_id}"


class HelpfulMark(models.Model):
    """One member found one post helpful."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="marks")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="helpful_once"),
        ]

    def __str__(self) -> str:
        return f"helpful {self.post_id} by {self.user_id}"


class Follow(models.Model):
    """A member follows a thread (for digests and reply notices)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.thread_id}"


class ReadState(models.Model):
    """When a member last read a thread; newer posts count as unread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="read_state_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id}"


class Report(models.Model):
    """A member flags a post to the cohort's moderators, with a reason."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"report on post {self.post_id}"


class ModerationAction(models.TextChoices):
    PIN = "pin", _("Pinned")
    UNPIN = "unpin", _("Unpinned")
    LOCK = "lock", _("Locked")
    UNLOCK = "unlock", _("Unlocked")
    HIDE = "hide", _("Hid a post")
    UNHIDE = "unhide", _("Unhid a post")
    MOVE = "move", _("Moved a thread")
    RESOLVE = "resolve", _("Resolved a report")
    IMPORT = "import", _("Imported a thread")
    DELETE = "delete", _("Deleted a post")


class ModerationLog(models.Model):
    """Who did which moderation action on what, when and why."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="forum_moderation_log"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=ModerationAction.choices)
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id}"

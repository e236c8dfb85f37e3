"""Forum pages: thin interfaces over selectors (scoped reads) and services.

One module past ~400 lines on purpose: each page is a short view, and they share
the form-error and rate-limit mapping at the top.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd.auth import acting_user
from cpd.context_processors import data_saver
from cpd.forms import rate_limit_error
from cpd.limits import RateLimited
from cpd.reports import csv_text
from cpd.selectors import cohort_get_for_user
from forums import policies, selectors
from forums.forms import (
    MoveForm,
    PostEditForm,
    ReasonForm,
    ReplyForm,
    SearchForm,
    ThreadForm,
)
from forums.models import Thread
from forums.report import reply_links
from forums.services import engagement, moderation, posting

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = (
    12  # keeps a page of typical replies under the 15 KB repeat-view budget
)


def _errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _status(form: forms.Form, limited: int | None = None) -> int:
    """429 when a rate limit refused the write (see cpd.forms), else 400 or 200."""
    if limited:
        return limited
    return 400 if form.errors else 200


@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
    """The forums of my cohorts with unread thread counts."""
    forums_ = list(selectors.forum_list_for_user(request.user))
    return render(
        request,
        "forums/forum_list.html",
        {
            "forums": forums_,
            "search_form": SearchForm(),
            "moderates": selectors.moderates_any(request.user),
        },
    )


@login_required
def thread_list(request: HttpRequest, forum_id: int) -> HttpResponse:
    """A forum's threads, pinned first, filterable by tag, paginated."""
    forum = selectors.forum_get_for_user(request.user, forum_id)
    tag = request.GET.get("tag", "")[:40]
    page = Paginator(
        selectors.thread_list(request.user, forum, tag=tag), THREADS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "forums/thread_list.html",
        {
            "forum": forum,
            "page": page,
            "tag": tag,
            "tags": selectors.forum_tags(forum),
            "search_form": SearchForm(initial={"forum": forum.pk}),
        },
    )


@login_required
def thread_create(request: HttpRequest, forum_id: int) -> HttpResponse:
    """Open a thread; a resubmitted form (same key) lands on the same thread."""
    forum = selectors.forum_get_for_user(request.user, forum_id)
    form = ThreadForm(request.POST or None, request.FILES or None)
    limited: int | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread, _created = posting.thread_create(
                actor=acting_user(request),
                forum=forum,
                title=data["title"],
                body=data["body"],
                tags=form.all_tags(),
                idempotency_key=data["idempotency_key"],
                uploads=[data["image"]] if data["image"] else [],
                no_identifiers_confirmed=data["no_identifiers_confirmed"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except RateLimited as exc:
            limited = rate_limit_error(form, exc)
        else:
            return redirect(selectors.thread_url(thread))
    return render(
        request,
        "forums/thread_form.html",
        {"forum": forum, "form": form},
        status=_status(form, limited),
    )


def _thread_context(
    request: HttpRequest, thread: Thread, reply_form: forms.Form
) -> dict[str, Any]:
    page = selectors.thread_posts_page(
        request.user, thread, request.GET.get("page"), per_page=POSTS_PER_PAGE
    )
    user = request.user
    flags = {
        "can_reply": policies.can_reply(user, thread),
        "can_moderate": policies.can_moderate_forum(user, thread.forum),
        "can_accept": policies.can_accept_answer(user, thread),
    }
    return {
        "thread": thread,
        "forum": thread.forum,
        "page": page,
        "reply_form": reply_form,
        **flags,
        "following": selectors.is_following(user, thread),
        "case": thread.has_case_tag,
        "posts_cache": _posts_cache_variant(request, thread, flags),
        "posts_cache_seconds": settings.FORUMS_THREAD_CACHE_SECONDS,
    }


def _posts_cache_variant(
    request: HttpRequest, thread: Thread, flags: dict[str, bool]
) -> str:
    """What, besides the thread's revision and the page, the post list depends on.

    Readers with the same controls, language, time zone and data-saver setting
    share one rendering. A reader who wrote or marked a post in the thread, or
    a moderator (whose hide forms carry their own CSRF token: keyed by its
    secret's digest too), gets their own.
    """
    own = getattr(thread, "involved", True) or flags["can_moderate"]
    saver = data_saver(request)["data_saver"]
    bits = "".join(str(int(flags[k])) for k in sorted(flags)) + str(int(saver))
    who = str(request.user.pk if own else 0)
    if flags["can_moderate"]:
        # Signing in again makes a new CSRF secret: a new rendering, so the
        # hide forms carry a token that works (a digest, not the secret).
        get_token(request)
        secret = request.META.get("CSRF_COOKIE", "")
        who += "." + salted_hmac("forums.posts.csrf", secret).hexdigest()[:16]
    return "-".join(
        [
            bits,
            who,
            get_language() or "",
            timezone.get_current_timezone_name(),
        ]
    )


@login_required
def thread_detail(request: HttpRequest, thread_id: int) -> HttpResponse:
    """A thread's posts (last page first) with the reply box at the bottom."""
    thread = selectors.thread_get_for_user(request.user, thread_id)
    initial: dict[str, Any] = {}
    quote = request.GET.get("quote", "")
    if quote.isdigit():
        quoted = selectors.post_get_for_user(request.user, int(quote))
        if quoted.thread_id == thread.pk and not quoted.is_hidden:
            name = quoted.author.display_name if quoted.author else _("Someone")
            lines = "\n".join(f"> {line}" for line in quoted.body.splitlines())
            initial["body"] = f"> **{name}:**\n{lines}\n\n"
    context = _thread_context(request, thread, ReplyForm(initial=initial))
    if not selectors.thread_is_read(request.user, thread):  # no write on re-reads
        engagement.thread_mark_read(actor=acting_user(request), thread=thread)
    return render(request, "forums/thread_detail.html", context)


@require_POST
@login_required
def post_create(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Reply; a resubmitted form (same key) returns to the post already made."""
    thread = selectors.thread_get_for_user(request.user, thread_id)
    form = ReplyForm(request.POST, request.FILES)
    limited: int | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            post, _created = posting.post_create(
                actor=acting_user(request),
                thread=thread,
                body=data["body"],
                idempotency_key=data["idempotency_key"],
                uploads=[data["image"]] if data["image"] else [],
                no_identifiers_confirmed=data["no_identifiers_confirmed"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except RateLimited as exc:
            limited = rate_limit_error(form, exc)
        except PermissionDenied:
            return HttpResponse(_("This thread is locked."), status=403)
        else:
            return redirect(f"{selectors.thread_url(thread)}?page=last#p{post.pk}")
    context = _thread_context(request, thread, form)
    return render(
        request,
        "forums/thread_detail.html",
        context,
        status=_status(form, limited),
    )


@login_required
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    """The author edits a post; earlier text is kept as history."""
    post = selectors.post_get_for_user(request.user, post_id)
    if not policies.can_edit_post(request.user, post):
        raise PermissionDenied(_("You can only edit your own posts."))
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            posting.post_edit(
                actor=acting_user(request), post=post, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return redirect(f"{selectors.thread_url(post.thread)}#p{post.pk}")
    return render(
        request,
        "forums/post_edit.html",
        {"post": post, "form": form, "revisions": post.revisions.all()[:10]},
        status=_status(form),
    )


def _back(post_or_thread: Any) -> HttpResponse:
    thread = getattr(post_or_thread, "thread", post_or_thread)
    anchor = f"#p{post_or_thread.pk}" if hasattr(post_or_thread, "thread") else ""
    return redirect(selectors.thread_url(thread) + anchor)


@require_POST
@login_required
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """The author (or a moderator) deletes a post; the opening post takes the thread."""
    post = selectors.post_get_for_user(request.user, post_id)
    posting.post_delete(actor=acting_user(request), post=post)
    messages.success(request, _("The post was deleted."))
    if post.thread.deleted_at is not None:
        return redirect("forums-forum", forum_id=post.thread.forum_id)
    return _back(post.thread)


@require_POST
@login_required
def post_helpful(request: HttpRequest, post_id: int) -> HttpResponse:
    """Toggle my helpful mark on a post."""
    post = selectors.post_get_for_user(request.user, post_id)
    engagement.helpful_set(
        actor=acting_user(request), post=post, helpful=request.POST.get("on") == "1"
    )
    return _back(post)


@require_POST
@login_required
def post_accept(request: HttpRequest, post_id: int) -> HttpResponse:
    """Mark (or clear) a post as the accepted answer."""
    post = selectors.post_get_for_user(request.user, post_id)
    try:
        engagement.answer_accept(
            actor=acting_user(request),
            thread=post.thread,
            post=post if request.POST.get("on") == "1" else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(post)


@require_POST
@login_required
def thread_follow(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Follow or unfollow a thread."""
    thread = selectors.thread_get_for_user(request.user, thread_id)
    engagement.follow_set(
        actor=acting_user(request),
        thread=thread,
        following=request.POST.get("on") == "1",
    )
    return _back(thread)


@login_required
def post_report(request: HttpRequest, post_id: int) -> HttpResponse:
    """Report a post to the cohort's moderators with a reason."""
    post = selectors.post_get_for_user(request.user, post_id)
    if not policies.can_report_post(request.user, post):
        raise PermissionDenied(_("You cannot report this post."))
    form = ReasonForm(request.POST or None)
    limited: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_create(
                actor=acting_user(request),
                post=post,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except RateLimited as exc:
            limited = rate_limit_error(form, exc)
        else:
            messages.success(request, _("Thank you. A mentor will look at it."))
            return _back(post)
    return render(
        request,
        "forums/post_report.html",
        {"post": post, "form": form},
        status=_status(form, limited),
    )


@require_POST
@login_required
def post_hide(request: HttpRequest, post_id: int) -> HttpResponse:
    """A moderator hides (with a reason) or unhides a post."""
    post = selectors.post_get_for_user(request.user, post_id)
    actor = acting_user(request)
    if request.POST.get("on") == "0":
        moderation.post_unhide(actor=actor, post=post)
        return _back(post)
    try:
        moderation.post_hide(
            actor=actor, post=post, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(post)


@require_POST
@login_required
def thread_pin(request: HttpRequest, thread_id: int) -> HttpResponse:
    """A moderator pins or unpins a thread."""
    thread = selectors.thread_get_for_user(request.user, thread_id)
    moderation.thread_pin(
        actor=acting_user(request), thread=thread, pinned=request.POST.get("on") == "1"
    )
    return _back(thread)


@require_POST
@login_required
def thread_lock(request: HttpRequest, thread_id: int) -> HttpResponse:
    """A moderator locks or reopens a thread."""
    thread = selectors.thread_get_for_user(request.user, thread_id)
    moderation.thread_lock(
        actor=acting_user(request), thread=thread, locked=request.POST.get("on") == "1"
    )
    return _back(thread)


@login_required
def thread_move(request: HttpRequest, thread_id: int) -> HttpResponse:
    """A moderator moves a thread to another forum of its cohort."""
    thread = selectors.thread_get_for_user(request.user, thread_id)
    if not policies.can_moderate_forum(request.user, thread.forum):
        raise PermissionDenied(_("Only the cohort's mentors and administrators can."))
    form = MoveForm(
        request.POST or None,
        forums=selectors.cohort_forums(thread.forum),
        initial={"forum": thread.forum_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moderation.thread_move(
                actor=acting_user(request),
                thread=thread,
                forum=form.cleaned_data["forum"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            return _back(thread)
    return render(
        request,
        "forums/thread_move.html",
        {"thread": thread, "form": form},
        status=_status(form),
    )


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Open reports and recent actions in the cohorts I moderate."""
    if not selectors.moderates_any(request.user):
        raise PermissionDenied(_("Only mentors and administrators moderate."))
    return render(
        request,
        "forums/moderation.html",
        {
            "reports": selectors.reports_open_for(request.user)[:50],
            "log": selectors.moderation_log_for(request.user),
        },
    )


@require_POST
@login_required
def report_resolve(request: HttpRequest, report_id: int) -> HttpResponse:
    """A moderator closes a report."""
    report = selectors.report_get_for_moderator(request.user, report_id)
    moderation.report_resolve(actor=acting_user(request), report=report)
    return redirect(reverse("forums-moderation"))


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search across every forum I can see."""
    form = SearchForm(request.GET or None)
    hits: list[Any] = []
    if form.is_valid() and form.cleaned_data["q"]:
        hits = selectors.search(
            request.user,
            form.cleaned_data["q"],
            tag=form.cleaned_data["tag"] or "",
            forum_id=form.cleaned_data["forum"],
        )
    return render(
        request,
        "forums/search.html",
        {"form": form, "hits": hits, "searched": bool(form.data.get("q"))},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def cohort_reply_network_csv(request: HttpRequest, cohort_id: int) -> HttpResponseBase:
    """Every reply link of the cohort report's network, by name (administrators).

    As the drawing: the names are the administrators' (``can_view_social_names``);
    the cohort's mentors and learners are refused, and anyone else gets a 404.
    """
    cohort = cohort_get_for_user(request.user, cohort_id)
    if not policies.can_view_social_names(request.user, cohort):
        return HttpResponse(_("Only the cohort's administrators."), status=403)
    links = reply_links(cohort)

    def lines() -> Iterator[str]:
        out = csv.writer(_Echo())
        yield out.writerow(
            [
                _("who replied"),
                _("their role"),
                _("in the thread of"),
                _("their role"),
                _("replies"),
            ]
        )
        role = {True: _("mentor"), False: _("learner")}
        for link in links.iterator():
            yield out.writerow(
                [
                    csv_text(link["source_name"]),
                    role[bool(link["source_mentor"])],
                    csv_text(link["target_name"]),
                    role[bool(link["target_mentor"])],
                    link["replies"],
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="reply-network-{cohort.pk}.csv"'
    )
    response["Cache-Control"] = "private, no-store"
    return response

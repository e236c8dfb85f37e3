"""Forum pages by role: read, post, edit, moderate, report, search; 404 outside."""

import pytest
from django.urls import reverse

from forums.models import ModerationLog, Post, Report, Thread
from forums.services.forums import forum_create
from tests.conftest import client_as

ROLES = [
    "learner",
    "other_learner",
    "mentor_of_cohort",
    "other_mentor",
    "org_admin",
    "outsider",
    "anonymous",
]
READERS = {"learner", "mentor_of_cohort", "org_admin"}
MODERATORS = {"mentor_of_cohort", "org_admin"}


def _expect(role, allowed_status, *, member_denied=None):
    """Status for a role: allowed, 403 for a member without the right, else 404."""
    if role == "anonymous":
        return 302
    if role in allowed_status:
        return allowed_status[role]
    if role in READERS:
        return member_denied
    return 404


@pytest.mark.parametrize("role", ROLES)
def test_read_thread_page(client, world, threads, role):
    client_as(client, world.user(role))
    response = client.get(reverse("forums-thread", args=[threads.thread.pk]))
    assert response.status_code == (200 if role in READERS else _expect(role, {}))
    if role in READERS:
        assert b"Retained placenta" in response.content


@pytest.mark.parametrize(
    "role", ["learner", "mentor_of_cohort", "org_admin", "outsider"]
)
def test_another_cohorts_thread_and_forum_are_404(client, world, threads, role):
    client_as(client, world.user(role))
    url = reverse("forums-thread", args=[threads.other_thread.pk])
    assert client.get(url).status_code == 404
    url = reverse("forums-forum", args=[threads.other_thread.forum_id])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_reply(client, world, threads, role):
    client_as(client, world.user(role))
    url = reverse("forums-reply", args=[threads.thread.pk])
    response = client.post(
        url,
        {
            "body": f"reply by {role}",
            "idempotency_key": role,
            "no_identifiers_confirmed": "on",
        },
    )
    assert response.status_code == _expect(role, dict.fromkeys(READERS, 302))
    made = Post.objects.filter(body=f"reply by {role}").exists()
    assert made == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_open_a_thread(client, world, threads, role):
    client_as(client, world.user(role))
    url = reverse("forums-thread-new", args=[threads.thread.forum_id])
    response = client.post(
        url, {"title": f"New by {role}", "body": "text", "idempotency_key": "n"}
    )
    assert response.status_code == _expect(role, dict.fromkeys(READERS, 302))
    assert Thread.objects.filter(title=f"New by {role}").exists() == (role in READERS)


@pytest.mark.parametrize("role", ROLES)
def test_edit_own_and_others_posts(client, world, threads, role):
    client_as(client, world.user(role))
    others = reverse("forums-post-edit", args=[threads.learner_reply.pk])
    response = client.post(others, {"body": "vandalised"})
    if role == "learner":
        assert response.status_code == 302  # own post
        threads.learner_reply.refresh_from_db()
        assert threads.learner_reply.body == "vandalised"
        assert threads.learner_reply.revisions.count() == 1
    else:
        assert response.status_code == _expect(role, {}, member_denied=403)
        threads.learner_reply.refresh_from_db()
        assert threads.learner_reply.body != "vandalised"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["pin", "lock"])
def test_pin_and_lock(client, world, threads, role, action):
    client_as(client, world.user(role))
    url = reverse(f"forums-{action}", args=[threads.thread.pk])
    response = client.post(url, {"on": "1"})
    assert response.status_code == _expect(
        role, dict.fromkeys(MODERATORS, 302), member_denied=403
    )
    threads.thread.refresh_from_db()
    field = "is_pinned" if action == "pin" else "is_locked"
    assert getattr(threads.thread, field) == (role in MODERATORS)
    logged = ModerationLog.objects.filter(action=action, thread=threads.thread)
    assert logged.exists() == (role in MODERATORS)


@pytest.mark.parametrize("role", ROLES)
def test_hide_a_post_with_a_reason(client, world, threads, role):
    client_as(client, world.user(role))
    url = reverse("forums-hide", args=[threads.learner_reply.pk])
    response = client.post(url, {"reason": "shows a patient's name"})
    assert response.status_code == _expect(
        role, dict.fromkeys(MODERATORS, 302), member_denied=403
    )
    threads.learner_reply.refresh_from_db()
    assert threads.learner_reply.is_hidden == (role in MODERATORS)


@pytest.mark.parametrize("role", ROLES)
def test_move_within_the_cohort(client, world, threads, role):
    library = forum_create(cohort=world.cohort, title="Case library")
    client_as(client, world.user(role))
    url = reverse("forums-move", args=[threads.thread.pk])
    response = client.post(url, {"forum": library.pk, "reason": "finished case"})
    assert response.status_code == _expect(
        role, dict.fromkeys(MODERATORS, 302), member_denied=403
    )
    threads.thread.refresh_from_db()
    assert (threads.thread.forum_id == library.pk) == (role in MODERATORS)


def test_move_to_another_cohorts_forum_is_refused(client, world, threads):
    client_as(client, world.org_admin)
    url = reverse("forums-move", args=[threads.thread.pk])
    response = client.post(url, {"forum": threads.other_thread.forum_id})
    assert response.status_code == 400
    threads.thread.refresh_from_db()
    assert threads.thread.forum_id != threads.other_thread.forum_id


@pytest.mark.parametrize("role", ROLES)
def test_report(client, world, threads, role):
    client_as(client, world.user(role))
    url = reverse("forums-report", args=[threads.opening.pk])
    response = client.post(url, {"reason": "wrong dose"})
    expected = {"learner": 302, "org_admin": 302}
    assert response.status_code == _expect(role, expected, member_denied=403)
    assert Report.objects.filter(post=threads.opening).exists() == (role in expected)


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_what_the_role_may_see(client, world, threads, role):
    client_as(client, world.user(role))
    response = client.get(reverse("forums-search"), {"q": "placenta"})
    if role == "anonymous":
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert ("Retained placenta" in html) == (role in READERS)
    sees_b = role in {"other_learner", "other_mentor"}
    assert ("Placenta praevia" in html) == sees_b
    assert "Secret case text" not in html or sees_b


def test_forum_list_creates_a_forum_per_cohort_and_counts_unread(
    client, world, threads
):
    client_as(client, world.learner)
    response = client.get(reverse("forums-home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cohort A" in html
    assert "Cohort B" not in html
    assert "1 unread" in html
    client.get(reverse("forums-thread", args=[threads.thread.pk]))
    assert "unread" not in client.get(reverse("forums-home")).content.decode()


def test_thread_list_puts_pinned_first_and_filters_by_tag(client, world, threads):
    from forums.services import moderation, posting

    forum = threads.thread.forum
    later, _ = posting.thread_create(
        actor=world.learner,
        forum=forum,
        title="Later question",
        body="b",
        tags=["question"],
    )
    moderation.thread_pin(
        actor=world.mentor_of_cohort, thread=threads.thread, pinned=True
    )
    client_as(client, world.learner)
    html = client.get(reverse("forums-forum", args=[forum.pk])).content.decode()
    assert html.index("Retained placenta") < html.index("Later question")
    tagged = client.get(reverse("forums-forum", args=[forum.pk]), {"tag": "question"})
    assert "Retained placenta" not in tagged.content.decode()
    assert "Later question" in tagged.content.decode()


def test_bad_input_rerenders_the_form_with_the_text_kept(client, world, threads):
    client_as(client, world.learner)
    url = reverse("forums-thread-new", args=[threads.thread.forum_id])
    response = client.post(
        url,
        {
            "title": "My case",
            "body": "keep me",
            "tags": ["case"],
            "idempotency_key": "k",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "keep me" in html
    assert "no patient name" in html
    assert not Thread.objects.filter(title="My case").exists()


def test_quote_prefills_the_reply_box(client, world, threads):
    client_as(client, world.mentor_of_cohort)
    url = reverse("forums-thread", args=[threads.thread.pk])
    html = client.get(url, {"quote": threads.learner_reply.pk}).content.decode()
    assert "&gt; We would try controlled cord traction" in html


def test_a_hidden_post_shows_its_reason_not_its_text_to_members(client, world, threads):
    from forums.services import moderation

    moderation.post_hide(
        actor=world.mentor_of_cohort, post=threads.opening, reason="identifiers"
    )
    viewer = world.org_admin  # a moderator sees the text
    client_as(client, viewer)
    assert (
        b"not delivered after 40"
        in client.get(reverse("forums-thread", args=[threads.thread.pk])).content
    )
    client.logout()
    from cpd import services as cpd_services
    from tests.factories.cpd import UserFactory

    member = UserFactory()
    cpd_services.membership_add(cohort=world.cohort, user=member, role="learner")
    client_as(client, member)
    html = client.get(
        reverse("forums-thread", args=[threads.thread.pk])
    ).content.decode()
    assert "Hidden by a mentor: identifiers" in html
    assert "not delivered after 40" not in html


def test_helpful_follow_and_accept_from_the_page(client, world, threads):
    client_as(client, world.mentor_of_cohort)
    reply = threads.learner_reply
    assert (
        client.post(reverse("forums-helpful", args=[reply.pk]), {"on": "1"}).status_code
        == 302
    )
    assert (
        client.post(reverse("forums-accept", args=[reply.pk]), {"on": "1"}).status_code
        == 302
    )
    assert (
        client.post(
            reverse("forums-follow", args=[threads.thread.pk]), {"on": "1"}
        ).status_code
        == 302
    )
    threads.thread.refresh_from_db()
    assert threads.thread.accepted_post_id == reply.pk
    assert reply.marks.count() == 1
    client_as(client, world.learner)
    response = client.post(reverse("forums-accept", args=[reply.pk]), {"on": "0"})
    assert response.status_code == 403


def test_moderation_queue_lists_reports_of_my_cohorts_only(client, world, threads):
    from forums.services import moderation

    moderation.report_create(
        actor=world.learner, post=threads.opening, reason="dose wrong"
    )
    client_as(client, world.mentor_of_cohort)
    assert b"dose wrong" in client.get(reverse("forums-moderation")).content
    client_as(client, world.other_mentor)
    assert b"dose wrong" not in client.get(reverse("forums-moderation")).content
    client_as(client, world.learner)
    assert client.get(reverse("forums-moderation")).status_code == 403


def test_the_author_deletes_a_reply_from_the_page(client, world, threads):
    client_as(client, world.learner)
    url = reverse("forums-post-delete", args=[threads.learner_reply.pk])
    assert client.post(url).status_code == 302
    html = client.get(reverse("forums-thread", args=[threads.thread.pk])).content
    assert b"controlled cord traction" not in html

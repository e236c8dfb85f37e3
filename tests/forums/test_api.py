"""The forums API: same rules as the pages, 404 outside the cohort, idempotent."""

import pytest
from django.urls import reverse

from cpd import services as cpd_services
from forums.models import Post, Thread
from tests.factories import images

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


def _as(api_client, world, role):
    user = world.user(role)
    if user.is_authenticated:
        api_client.force_authenticate(user)
    return api_client


def _status(role, allowed, ok, member_denied=403):
    if role == "anonymous":
        return 403  # DRF with session auth first answers 403 to the unauthenticated
    if role in allowed:
        return ok
    if role in READERS:
        return member_denied
    return 404


@pytest.mark.parametrize("role", ROLES)
def test_read_thread_and_posts(api_client, world, threads, role):
    client = _as(api_client, world, role)
    for name in ["api-thread-detail", "api-post-list"]:
        response = client.get(reverse(name, args=[threads.thread.pk]))
        assert response.status_code == _status(role, READERS, 200)


@pytest.mark.parametrize("role", ROLES)
def test_another_cohorts_thread_is_404_through_the_api(
    api_client, world, threads, role
):
    if role not in {"learner", "mentor_of_cohort", "org_admin", "outsider"}:
        return
    client = _as(api_client, world, role)
    other = threads.other_thread
    assert client.get(reverse("api-thread-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("api-post-list", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("api-post-list", args=[other.pk]), {"body": "x", "idempotency_key": "k"}
    )
    assert response.status_code == 404
    response = client.get(reverse("api-forum-search"), {"q": "praevia"})
    assert response.json() == []


@pytest.mark.parametrize("role", ROLES)
def test_reply_via_api(api_client, world, threads, role):
    client = _as(api_client, world, role)
    response = client.post(
        reverse("api-post-list", args=[threads.thread.pk]),
        {
            "body": "api reply",
            "idempotency_key": "api",
            "no_identifiers_confirmed": True,
        },
        format="json",
    )
    assert response.status_code == _status(role, READERS, 201)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["pin", "lock"])
def test_pin_lock_via_api(api_client, world, threads, role, action):
    client = _as(api_client, world, role)
    url = reverse(f"api-thread-{action}", args=[threads.thread.pk])
    response = client.post(url, {"on": True}, format="json")
    assert response.status_code == _status(role, MODERATORS, 200)


@pytest.mark.parametrize("role", ROLES)
def test_hide_via_api(api_client, world, threads, role):
    client = _as(api_client, world, role)
    url = reverse("api-post-hide", args=[threads.learner_reply.pk])
    response = client.post(url, {"hidden": True, "reason": "names"}, format="json")
    assert response.status_code == _status(role, MODERATORS, 200)


@pytest.mark.parametrize("role", ROLES)
def test_edit_others_post_via_api(api_client, world, threads, role):
    client = _as(api_client, world, role)
    url = reverse("api-post-edit", args=[threads.opening.pk])
    response = client.patch(url, {"body": "changed"}, format="json")
    ok = {"mentor_of_cohort": 200}  # the author
    assert response.status_code == _status(role, ok, 200)


@pytest.mark.parametrize("role", ROLES)
def test_report_via_api(api_client, world, threads, role):
    client = _as(api_client, world, role)
    url = reverse("api-post-report", args=[threads.learner_reply.pk])
    response = client.post(url, {"reason": "wrong"}, format="json")
    allowed = {"mentor_of_cohort", "org_admin"}  # the learner wrote it
    assert response.status_code == _status(role, allowed, 201)


def test_move_via_api_to_another_cohort_is_404(api_client, world, threads):
    client = _as(api_client, world, "mentor_of_cohort")
    url = reverse("api-thread-move", args=[threads.thread.pk])
    response = client.post(url, {"forum": threads.other_thread.forum_id}, format="json")
    assert response.status_code == 404


def test_new_thread_is_idempotent_201_then_200(api_client, world, threads):
    client = _as(api_client, world, "learner")
    url = reverse("api-thread-list", args=[threads.thread.forum_id])
    data = {"title": "API thread", "body": "b", "idempotency_key": "k-1"}
    first = client.post(url, data, format="json")
    second = client.post(url, data, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Thread.objects.filter(title="API thread").count() == 1


def test_missing_key_or_confirmation_is_a_400_with_field_errors(
    api_client, world, threads
):
    client = _as(api_client, world, "learner")
    url = reverse("api-thread-list", args=[threads.thread.forum_id])
    response = client.post(url, {"title": "t", "body": "b"}, format="json")
    assert response.status_code == 400
    assert "idempotency_key" in response.json()
    response = client.post(
        url,
        {"title": "t", "body": "b", "tags": ["case"], "idempotency_key": "z"},
        format="json",
    )
    assert response.status_code == 400
    assert "no_identifiers_confirmed" in response.json()


def test_attaching_an_image_of_another_cohort_is_refused(api_client, world, threads):
    theirs = cpd_services.image_upload(
        actor=world.other_learner,
        cohort=world.other_cohort,
        file=images.png(),
        no_identifiers_confirmed=True,
    )
    client = _as(api_client, world, "learner")
    response = client.post(
        reverse("api-post-list", args=[threads.thread.pk]),
        {
            "body": "see",
            "image_ids": [theirs.pk],
            "no_identifiers_confirmed": True,
            "idempotency_key": "img",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "images" in response.json()
    assert not Post.objects.filter(body="see").exists()


def test_hidden_post_text_is_withheld_from_members_in_the_api(
    api_client, world, threads
):
    mentor = _as(api_client, world, "mentor_of_cohort")
    mentor.post(
        reverse("api-post-hide", args=[threads.opening.pk]),
        {"hidden": True, "reason": "names"},
        format="json",
    )
    from tests.factories.cpd import UserFactory

    member = UserFactory()
    cpd_services.membership_add(cohort=world.cohort, user=member, role="learner")
    api_client.force_authenticate(member)
    rows = api_client.get(reverse("api-post-list", args=[threads.thread.pk])).json()
    hidden = next(r for r in rows["results"] if r["id"] == threads.opening.pk)
    assert hidden["body"] == ""
    assert hidden["is_hidden"]


def test_forum_list_search_follow_helpful_accept_and_queue(api_client, world, threads):
    client = _as(api_client, world, "mentor_of_cohort")
    forums = client.get(reverse("api-forum-list")).json()["results"]
    assert [f["cohort"] for f in forums] == [world.cohort.pk]
    hits = client.get(reverse("api-forum-search"), {"q": "placenta"}).json()
    assert {h["thread"] for h in hits} == {threads.thread.pk}
    assert client.post(
        reverse("api-thread-follow", args=[threads.thread.pk]),
        {"on": True},
        format="json",
    ).json() == {"on": True}
    assert (
        client.post(
            reverse("api-post-helpful", args=[threads.learner_reply.pk]),
            {"on": True},
            format="json",
        ).status_code
        == 200
    )
    accepted = client.post(
        reverse("api-thread-accept", args=[threads.thread.pk]),
        {"post": threads.learner_reply.pk},
        format="json",
    )
    assert accepted.json()["accepted_post"] == threads.learner_reply.pk
    assert client.get(reverse("api-forum-reports")).status_code == 200
    learner = _as(api_client, world, "learner")
    assert learner.get(reverse("api-forum-reports")).status_code == 403


def test_the_openapi_schema_lists_the_forum_endpoints(client, world):
    client.force_login(world.learner)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content
    for path in [
        b"/api/forums/",
        b"/api/threads/{thread_id}/posts/",
        b"/api/forums/search/",
    ]:
        assert path in schema


@pytest.mark.parametrize("role", ROLES)
def test_delete_a_post_via_api(api_client, world, threads, role):
    client = _as(api_client, world, role)
    response = client.delete(reverse("api-post-edit", args=[threads.learner_reply.pk]))
    allowed = {"learner", "mentor_of_cohort", "org_admin"}  # author, moderators
    assert response.status_code == _status(role, allowed, 204)


def test_posting_too_fast_via_api_is_a_429_with_retry_after(
    api_client, world, threads, settings
):
    settings.RATE_LIMITS = {"post": (2, 60)}  # the fixture used one
    client = _as(api_client, world, "learner")
    url = reverse("api-post-list", args=[threads.thread.pk])
    ok = client.post(
        url,
        {"body": "one", "idempotency_key": "q1", "no_identifiers_confirmed": True},
        format="json",
    )
    limited = client.post(
        url,
        {"body": "two", "idempotency_key": "q2", "no_identifiers_confirmed": True},
        format="json",
    )
    assert ok.status_code == 201
    assert limited.status_code == 429
    assert "too fast" in limited.json()["detail"]
    assert limited["Retry-After"] == "60"


def _foreign_image_id(world, case: str) -> int:
    if case == "missing":
        return 10_000_000
    owner, cohort = {
        "classmates": (world.mentor_of_cohort, world.cohort),
        "unseen_cohort": (world.other_learner, world.other_cohort),
    }[case]
    image = cpd_services.image_upload(
        actor=owner, cohort=cohort, file=images.png(), no_identifiers_confirmed=True
    )
    return image.pk


@pytest.mark.parametrize("case", ["classmates", "missing", "unseen_cohort"])
@pytest.mark.parametrize("endpoint", ["api-thread-list", "api-post-list"])
def test_an_image_id_not_ones_own_is_a_400_on_images(
    api_client, world, threads, case, endpoint
):
    """Another member's image, a missing id and an unseen cohort's image look alike."""
    # given
    image_id = _foreign_image_id(world, case)
    client = _as(api_client, world, "learner")
    target = threads.thread.forum_id if endpoint == "api-thread-list" else None
    url = reverse(endpoint, args=[target or threads.thread.pk])
    # when
    response = client.post(
        url,
        {
            "title": "With a photo",
            "body": "see the photo",
            "image_ids": [image_id],
            "no_identifiers_confirmed": True,
            "idempotency_key": f"img-{case}",
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"images"}
    assert not Post.objects.filter(body="see the photo").exists()


def test_ones_own_image_attaches_through_the_api(api_client, world, threads):
    # given
    mine = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=images.png(),
        no_identifiers_confirmed=True,
    )
    client = _as(api_client, world, "learner")
    # when
    response = client.post(
        reverse("api-post-list", args=[threads.thread.pk]),
        {
            "body": "my photo",
            "image_ids": [mine.pk],
            "no_identifiers_confirmed": True,
            "idempotency_key": "mine",
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    assert list(Post.objects.get(body="my photo").images.all()) == [mine]


@pytest.mark.parametrize(
    "params", [{"q": "\x00"}, {"q": "pph\x00"}, {"q": "a", "tag": "\x00"}]
)
def test_search_with_a_nul_byte_is_an_empty_answer_not_a_500(api_client, world, params):
    from forums.services.forums import forum_for_cohort

    forum_for_cohort(world.cohort)  # the learner has a forum to search
    api_client.force_authenticate(world.learner)
    api_client.raise_request_exception = False
    response = api_client.get(reverse("api-forum-search"), params)
    assert response.status_code == 200
    assert response.json() == []

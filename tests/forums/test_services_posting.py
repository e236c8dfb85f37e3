"""Posting: idempotency keys, images, mentions, edits, imports and rate limits."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cpd import services as cpd_services
from cpd.limits import RateLimited
from cpd.models import Role
from forums.models import ModerationLog, Post, Thread
from forums.selectors import thread_url
from forums.services import posting
from forums.services.forums import forum_for_cohort
from tests.factories import images
from tests.factories.cpd import UserFactory


@pytest.fixture
def forum(world):
    return forum_for_cohort(world.cohort)


def test_forum_for_cohort_is_idempotent(world):
    assert forum_for_cohort(world.cohort) == forum_for_cohort(world.cohort)
    assert world.cohort.forums.count() == 1


def test_same_key_twice_makes_one_thread(world, forum):
    # given a thread opened with a key
    first, created = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="abc"
    )
    # when the same submit arrives again (lost response, retry)
    again, created_again = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="abc"
    )
    # then the first thread comes back and nothing new is made
    assert created
    assert not created_again
    assert again == first
    assert Thread.objects.count() == 1


def test_same_key_twice_makes_one_reply(world, forum):
    thread, _ = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="t"
    )
    one, _ = posting.post_create(
        actor=world.mentor_of_cohort, thread=thread, body="r", idempotency_key="k"
    )
    two, created = posting.post_create(
        actor=world.mentor_of_cohort, thread=thread, body="r", idempotency_key="k"
    )
    assert one == two
    assert not created
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_keys_are_per_author(world, forum):
    thread, _ = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="same"
    )
    post, created = posting.post_create(
        actor=world.mentor_of_cohort, thread=thread, body="r", idempotency_key="same"
    )
    assert created
    assert post.author == world.mentor_of_cohort


def test_a_resubmitted_page_form_lands_on_the_same_thread(client, world, forum):
    client.force_login(world.learner)
    data = {"title": "Flaky", "body": "once", "idempotency_key": "page-key"}
    url = reverse("forums-thread-new", args=[forum.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Thread.objects.filter(title="Flaky").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_with_one_key_make_one_post(world):
    forum = forum_for_cohort(world.cohort)
    thread, _ = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="t"
    )
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        try:
            barrier.wait()
            post, _ = posting.post_create(
                actor=world.mentor_of_cohort,
                thread=thread,
                body="racing reply",
                idempotency_key="race",
            )
            results.append(post.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    assert len(set(results)) == 1
    assert Post.objects.filter(body="racing reply").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_new_threads_with_one_key_make_one_thread(world):
    forum = forum_for_cohort(world.cohort)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        try:
            barrier.wait()
            thread, _ = posting.thread_create(
                actor=world.learner,
                forum=forum,
                title="Race",
                body="b",
                idempotency_key="race-thread",
            )
            results.append(thread.pk)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(results) == 4
    assert len(set(results)) == 1
    assert Thread.objects.filter(title="Race").count() == 1


def test_a_post_with_an_image_needs_the_no_identifiers_confirmation(world, forum):
    with pytest.raises(ValidationError, match="no patient name"):
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title="Rash",
            body="see photo",
            uploads=[images.jpeg_with_gps()],
        )
    assert not Thread.objects.exists()


def test_a_case_needs_the_no_identifiers_confirmation(world, forum):
    with pytest.raises(ValidationError, match="no patient name"):
        posting.thread_create(
            actor=world.learner, forum=forum, title="Case", body="b", tags=["case"]
        )


def test_an_uploaded_image_is_attached_without_gps(world, forum):
    from PIL import Image as PILImage

    thread, _ = posting.thread_create(
        actor=world.learner,
        forum=forum,
        title="Rash",
        body="see photo",
        uploads=[images.jpeg_with_gps()],
        no_identifiers_confirmed=True,
    )
    image = thread.posts.get().images.get()
    assert image.cohort == world.cohort
    with image.full.open("rb") as fh, PILImage.open(fh) as stored:
        assert not stored.getexif().get_ifd(images.GPS_IFD)


def test_disguised_files_are_refused_with_a_clear_message(world, forum):
    with pytest.raises(ValidationError, match="not an image"):
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title="x",
            body="b",
            uploads=[images.disguised(images.PHP)],
            no_identifiers_confirmed=True,
        )
    assert not Thread.objects.exists()


def test_images_of_another_cohort_cannot_be_attached(world, forum):
    other_image = cpd_services.image_upload(
        actor=world.other_learner,
        cohort=world.other_cohort,
        file=images.png(),
        no_identifiers_confirmed=True,
    )
    with pytest.raises(ValidationError, match="Attach only images"):
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title="x",
            body="b",
            images=[other_image],
            no_identifiers_confirmed=True,
        )


def test_someone_elses_image_cannot_be_attached(world, forum):
    theirs = cpd_services.image_upload(
        actor=world.mentor_of_cohort,
        cohort=world.cohort,
        file=images.png(),
        no_identifiers_confirmed=True,
    )
    with pytest.raises(ValidationError, match="Attach only images"):
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title="x",
            body="b",
            images=[theirs],
            no_identifiers_confirmed=True,
        )


def test_own_private_conversation_photo_cannot_be_attached(world, forum):
    private = cpd_services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=images.png(),
        no_identifiers_confirmed=True,
        private=True,
    )
    with pytest.raises(ValidationError, match="Attach only images"):
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title="x",
            body="b",
            images=[private],
            no_identifiers_confirmed=True,
        )
    assert not Thread.objects.exists()


def test_mentions_resolve_to_cohort_members_by_slugged_name(world, forum):
    stranger = UserFactory(display_name="Learner A B")  # not in the cohort
    thread, _ = posting.thread_create(
        actor=world.learner,
        forum=forum,
        title="T",
        body="@mentor-a what do you think? cc @learner-a-b @nobody",
        idempotency_key="m",
    )
    post = thread.posts.get()
    assert list(post.mentions.all()) == [world.mentor_of_cohort]
    assert stranger not in post.mentions.all()


def test_edits_keep_the_earlier_text(world, forum):
    thread, _ = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="first", idempotency_key="e"
    )
    post = thread.posts.get()
    posting.post_edit(actor=world.learner, post=post, body="second *text*")
    post.refresh_from_db()
    assert "<em>text</em>" in post.body_html
    assert post.edited_at is not None
    revision = post.revisions.get()
    assert (revision.body, revision.editor) == ("first", world.learner)
    with pytest.raises(PermissionDenied):
        posting.post_edit(actor=world.mentor_of_cohort, post=post, body="mentor edit")


@override_settings(RATE_LIMITS={"post": (2, 60)})
def test_posting_too_fast_is_refused_with_a_clear_message(world, forum):
    for n in range(2):
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title=f"T{n}",
            body="b",
            idempotency_key=f"k{n}",
        )
    with pytest.raises(RateLimited, match="too fast. Wait 60 seconds"):
        posting.thread_create(
            actor=world.learner, forum=forum, title="T3", body="b", idempotency_key="k3"
        )
    # a retry of an earlier post is not a new post, so it is never limited
    again, created = posting.thread_create(
        actor=world.learner, forum=forum, title="T0", body="b", idempotency_key="k0"
    )
    assert not created
    # and other people are not affected
    posting.thread_create(
        actor=world.mentor_of_cohort,
        forum=forum,
        title="M",
        body="b",
        idempotency_key="m",
    )


@override_settings(RATE_LIMITS={"post": (1, 60)})
def test_the_page_says_when_the_limit_is_hit_and_keeps_the_text(client, world, forum):
    client.force_login(world.learner)
    url = reverse("forums-thread-new", args=[forum.pk])
    client.post(url, {"title": "one", "body": "b", "idempotency_key": "1"})
    response = client.post(
        url, {"title": "two", "body": "keep", "idempotency_key": "2"}
    )
    assert response.status_code == 429
    assert b"too fast" in response.content
    assert b"keep" in response.content


# --- contract used by case rooms -----------------------------------------------------


def test_thread_import_keeps_authors_times_and_order(world):
    base = timezone.now() - dt.timedelta(hours=2)
    posts = [
        posting.ImportedPost(
            author=world.learner, body="Opening **case**", created_at=base
        ),
        posting.ImportedPost(
            author=world.mentor_of_cohort,
            body="Reply from the mentor",
            created_at=base + dt.timedelta(minutes=5),
        ),
        posting.ImportedPost(
            author=None,
            body="From a deleted account",
            created_at=base + dt.timedelta(minutes=9),
        ),
    ]
    thread = posting.thread_import(
        actor=world.mentor_of_cohort,
        cohort=world.cohort,
        title="Room: shoulder dystocia",
        tags=["case"],
        posts=posts,
    )
    thread.refresh_from_db()
    assert thread.forum == forum_for_cohort(world.cohort)
    assert thread.author == world.learner
    assert thread.created_at == base
    assert thread.last_post_at == base + dt.timedelta(minutes=9)
    assert [t.name for t in thread.tags.all()] == ["case"]
    stored = list(thread.posts.order_by("created_at", "pk"))
    assert [p.author for p in stored] == [world.learner, world.mentor_of_cohort, None]
    assert [p.created_at for p in stored] == [p.created_at for p in posts]
    assert "<strong>case</strong>" in stored[0].body_html
    assert thread.reply_count == 2
    assert ModerationLog.objects.filter(thread=thread, action="import").exists()
    assert thread_url(thread) == f"/forums/t/{thread.pk}/"


@pytest.mark.parametrize("role", ["learner", "other_mentor", "outsider"])
def test_thread_import_needs_a_moderator_of_the_cohort(world, role):
    item = posting.ImportedPost(author=None, body="x", created_at=timezone.now())
    with pytest.raises(PermissionDenied):
        posting.thread_import(
            actor=getattr(world, role),
            cohort=world.cohort,
            title="t",
            tags=[],
            posts=[item],
        )
    assert not Thread.objects.exists()


def test_thread_import_is_atomic(world):
    good = posting.ImportedPost(author=None, body="ok", created_at=timezone.now())
    empty = posting.ImportedPost(author=None, body="  ", created_at=timezone.now())
    with pytest.raises(ValidationError):
        posting.thread_import(
            actor=world.org_admin,
            cohort=world.cohort,
            title="t",
            tags=[],
            posts=[good, empty],
        )
    assert not Thread.objects.exists()
    assert not Post.objects.exists()


def test_admins_of_the_cohort_may_import(world):
    cpd_services.membership_add(
        cohort=world.cohort, user=UserFactory(), role=Role.LEARNER
    )
    item = posting.ImportedPost(author=None, body="x", created_at=timezone.now())
    thread = posting.thread_import(
        actor=world.org_admin, cohort=world.cohort, title="t", tags=[], posts=[item]
    )
    assert thread.posts.count() == 1


def test_a_replayed_key_reveals_nothing_after_leaving_the_cohort(world, forum):
    from cpd.models import Membership
    from cpd.policies import forget_roles

    posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="gone"
    )
    Membership.objects.filter(user=world.learner).delete()
    forget_roles(world.learner)
    with pytest.raises(PermissionDenied) as exc:
        posting.thread_create(
            actor=world.learner,
            forum=forum,
            title="T",
            body="b",
            idempotency_key="gone",
        )
    assert str(exc.value) == "You cannot post in this forum."


# Found by mutation testing (docs/testing.md): the key's rules themselves.


def test_posts_without_a_key_are_never_taken_for_each_other(world, forum):
    thread, _ = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b"
    )
    for blank in ("", "  "):
        _, created = posting.post_create(
            actor=world.learner, thread=thread, body="same", idempotency_key=blank
        )
        assert created
    assert thread.posts.count() == 3


def test_a_key_of_64_characters_is_kept_and_65_refused(world, forum):
    thread, created = posting.thread_create(
        actor=world.learner, forum=forum, title="T", body="b", idempotency_key="k" * 64
    )
    assert created
    assert thread.posts.get().idempotency_key == "k" * 64
    with pytest.raises(ValidationError) as exc:
        posting.post_create(
            actor=world.learner, thread=thread, body="r", idempotency_key="k" * 65
        )
    assert exc.value.message_dict == {"idempotency_key": ["The key is too long."]}

"""The thread page's cached post list: shared where it may be, fresh after a write.

The post list is rendered once per thread revision, page, language, time zone,
data-saver setting and set of controls, and shared by every reader with the
same. Each test renders the page once to fill the cache, then changes something
and looks at the page again as a reader would.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpd import services as cpd_services
from cpd.models import Role
from cpd.privacy import services as privacy
from cpd.privacy.models import ErasureRequest
from forums.models import Thread
from forums.services import engagement, moderation, posting
from tests.conftest import client_as
from tests.factories.cpd import UserFactory
from tests.factories.forums import PostFactory

POSTS_SELECT = 'SELECT "forums_post"."id"'


def _reader(world, name="Reader C", role=Role.LEARNER):
    user = UserFactory(display_name=name)
    cpd_services.membership_add(cohort=world.cohort, user=user, role=role)
    return user


def _page(client, thread) -> str:
    response = client.get(reverse("forums-thread", args=[thread.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _posts_queries(client, thread) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _page(client, thread)
    return sum(q["sql"].startswith(POSTS_SELECT) for q in ctx.captured_queries)


def test_a_second_reader_gets_the_post_list_from_the_cache(world, threads, client):
    # given: one reader has seen the page
    first, second = _reader(world, "Reader C"), _reader(world, "Reader D")
    assert _posts_queries(client_as(client, first), threads.thread) == 1
    client.logout()
    # when: another reader with the same controls opens it
    queries = _posts_queries(client_as(client, second), threads.thread)
    # then: the posts are not read again, and the page shows them
    assert queries == 0
    assert "controlled cord traction" in _page(client, threads.thread)


def test_a_cached_view_costs_two_queries_fewer_whatever_the_posts(
    world, threads, client, settings
):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _page(client, threads.thread)
        return len(ctx.captured_queries)

    # given: a reader who has read the thread (the cache holds its posts)
    client_as(client, _reader(world))
    _page(client, threads.thread)
    hit = count()
    # when: the same view without the cache
    settings.FORUMS_THREAD_CACHE_SECONDS = 0
    miss = count()
    # then: the posts and their photos are the two queries a hit saves
    assert hit <= 7
    assert hit == miss - 2
    # and a hit costs the same with 20 more posts
    settings.FORUMS_THREAD_CACHE_SECONDS = 600
    for _ in range(20):
        PostFactory(thread=threads.thread)
    _page(client, threads.thread)  # renders afresh, marks read
    assert count() == hit


def test_the_cache_can_be_turned_off(world, threads, client, settings):
    settings.FORUMS_THREAD_CACHE_SECONDS = 0
    reader = _reader(world)
    client_as(client, reader)
    _page(client, threads.thread)
    assert _posts_queries(client, threads.thread) == 1


def _reply(world, threads):
    posting.post_create(
        actor=world.mentor_of_cohort,
        thread=threads.thread,
        body="Give oxytocin 10 IU and prepare for manual removal.",
        no_identifiers_confirmed=True,
        idempotency_key="r-cache",
    )
    return "manual removal"


def _edit(world, threads):
    posting.post_edit(
        actor=world.learner,
        post=threads.learner_reply,
        body="Edited: call the doctor now.",
    )
    return "Edited: call the doctor now."


def _hide(world, threads):
    moderation.post_hide(
        actor=world.mentor_of_cohort,
        post=threads.learner_reply,
        reason="Off topic here",
    )
    return "Hidden by a mentor: Off topic here"


def _helpful(world, threads):
    engagement.helpful_set(
        actor=world.mentor_of_cohort, post=threads.learner_reply, helpful=True
    )
    return "Helpful (1)"  # the count on the reply's button


def _accept(world, threads):
    engagement.answer_accept(
        actor=world.mentor_of_cohort, thread=threads.thread, post=threads.learner_reply
    )
    return "Accepted answer"


def _delete(world, threads):
    posting.post_delete(actor=world.learner, post=threads.learner_reply)
    return None  # noqa: RET501 - the reply's text is gone


@pytest.mark.parametrize("change", [_reply, _edit, _hide, _helpful, _accept, _delete])
def test_every_write_shows_on_the_next_view(world, threads, client, change):
    # given: a reader's page is cached
    reader = _reader(world)
    client_as(client, reader)
    before = _page(client, threads.thread)
    assert "controlled cord traction" in before
    # when
    expected = change(world, threads)
    # then
    after = _page(client, threads.thread)
    if expected is None:
        assert "controlled cord traction" not in after
    else:
        assert expected in after
        assert expected not in before


def test_an_erased_member_is_no_longer_named_on_a_cached_page(world, threads, client):
    # given: a reader's cached page names the learner, whose reply was answered
    _reply(world, threads)
    reader = _reader(world)
    client_as(client, reader)
    assert "Learner A" in _page(client, threads.thread)
    # when: the learner's erasure is carried out
    request = privacy.erasure_request(actor=world.learner)
    ErasureRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert privacy.erasure_perform(request_id=request.pk)
    # then
    page = _page(client, threads.thread)
    assert "Learner A" not in page
    assert "Former member" in page


def test_my_own_marks_and_posts_are_never_served_to_another_reader(
    world, threads, client
):
    # given: the reply's author and a reader who marked it fill the cache first
    marker = _reader(world, "Marker")
    engagement.helpful_set(actor=marker, post=threads.learner_reply, helpful=True)
    client_as(client, marker)
    assert 'aria-pressed="true"' in _page(client, threads.thread)
    client.logout()
    client_as(client, world.learner)
    own = _page(client, threads.thread)
    assert reverse("forums-post-edit", args=[threads.learner_reply.pk]) in own
    client.logout()
    # when: a reader who did neither opens the page
    client_as(client, _reader(world, "Bystander"))
    page = _page(client, threads.thread)
    # then: no one else's pressed button or edit link
    assert 'aria-pressed="true"' not in page
    assert reverse("forums-post-edit", args=[threads.learner_reply.pk]) not in page


def test_a_learner_never_gets_a_moderators_rendering(world, threads, client):
    # given: a hidden reply, seen by the mentor (who sees its text)
    moderation.post_hide(
        actor=world.mentor_of_cohort, post=threads.learner_reply, reason="Check"
    )
    client_as(client, world.mentor_of_cohort)
    assert "controlled cord traction" in _page(client, threads.thread)
    client.logout()
    # when
    client_as(client, _reader(world))
    page = _page(client, threads.thread)
    # then
    assert "controlled cord traction" not in page
    assert reverse("forums-hide", args=[threads.learner_reply.pk]) not in page


def _hide_form_secret(page: str, post_id: int) -> str:
    form = page[page.index(f'action="{reverse("forums-hide", args=[post_id])}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    return _unmask_cipher_token(token)


def test_a_moderators_hide_forms_carry_their_own_csrf_token(world, threads, client):
    # given: two mentors of the cohort who took no part in the thread; the
    # first fills the cache
    first = _reader(world, "Mentor C", role=Role.MENTOR)
    second = _reader(world, "Mentor D", role=Role.MENTOR)
    client_as(client, first)
    first_secret = _hide_form_secret(_page(client, threads.thread), threads.opening.pk)
    client.logout()
    # when
    client_as(client, second)
    page = _page(client, threads.thread)
    # then: the second mentor's forms work with the second mentor's cookie
    secret = _hide_form_secret(page, threads.opening.pk)
    assert secret == client.cookies["csrftoken"].value
    assert secret != first_secret


def test_each_language_has_its_own_rendering(world, threads, client):
    # given: an English reader fills the cache
    english, swahili = _reader(world, "Reader E"), _reader(world, "Reader S")
    swahili.preferred_language = "sw"
    swahili.save(update_fields=["preferred_language"])
    client_as(client, english)
    assert ">Helpful (" in _page(client, threads.thread)
    client.logout()
    # when
    client_as(client, swahili)
    page = _page(client, threads.thread)
    # then
    assert ">Helpful (" not in page


def test_the_revision_moves_with_each_write(world, threads):
    revision = Thread.objects.get(pk=threads.thread.pk).revision
    _reply(world, threads)
    _edit(world, threads)
    assert Thread.objects.get(pk=threads.thread.pk).revision == revision + 2


def test_a_renamed_member_shows_under_the_new_name_at_once(world, threads, client):
    # given: a reader's cached page names the learner (someone renaming for
    # privacy must not keep the old name on pages for ten minutes)
    reader = _reader(world)
    client_as(client, reader)
    assert "Learner A" in _page(client, threads.thread)
    # when: the learner renames themself
    cpd_services.user_update_profile(user=world.learner, display_name="Nurse Q")
    # then
    page = _page(client, threads.thread)
    assert "Learner A" not in page
    assert "Nurse Q" in page


def test_a_rename_bumps_only_the_threads_the_member_posted_in(world, threads):
    untouched = Thread.objects.get(pk=threads.other_thread.pk).revision
    before = Thread.objects.get(pk=threads.thread.pk).revision
    cpd_services.user_update_profile(user=world.learner, district="North")
    assert Thread.objects.get(pk=threads.thread.pk).revision == before  # no rename
    cpd_services.user_update_profile(user=world.learner, display_name="Nurse Q")
    assert Thread.objects.get(pk=threads.thread.pk).revision == before + 1
    assert Thread.objects.get(pk=threads.other_thread.pk).revision == untouched


def test_a_rename_in_the_django_admin_bumps_their_threads_too(world, threads, rf):
    from types import SimpleNamespace

    from django.contrib import admin

    from cpd.admin import UserAdmin
    from cpd.models import User

    before = Thread.objects.get(pk=threads.thread.pk).revision
    learner = User.objects.get(pk=world.learner.pk)
    learner.display_name = "Nurse Q"
    form = SimpleNamespace(changed_data=["display_name"])
    UserAdmin(User, admin.site).save_model(rf.post("/"), learner, form, True)
    assert Thread.objects.get(pk=threads.thread.pk).revision == before + 1


def test_a_moderator_signing_in_again_gets_hide_forms_with_the_new_token(
    world, threads, client
):
    # given: a mentor's rendering is cached with the CSRF token of that sign-in
    mentor = _reader(world, "Mentor C", role=Role.MENTOR)
    client_as(client, mentor)
    old = _hide_form_secret(_page(client, threads.thread), threads.opening.pk)
    client.logout()
    # when: the same mentor signs in again (a new CSRF secret)
    client_as(client, mentor)
    page = _page(client, threads.thread)
    # then: the hide forms work (not "This form has expired" for ten minutes)
    secret = _hide_form_secret(page, threads.opening.pk)
    assert secret == client.cookies["csrftoken"].value
    assert secret != old

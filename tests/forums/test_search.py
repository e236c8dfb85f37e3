"""Search: ranked on PostgreSQL, filters, and nothing from other cohorts."""

import pytest

from forums import selectors
from forums.services import moderation, posting
from forums.services.forums import forum_create, forum_for_cohort
from forums.services.search import on_postgres


def _thread(user, forum, title, body, key, tags=()):
    thread, _ = posting.thread_create(
        actor=user,
        forum=forum,
        title=title,
        body=body,
        tags=list(tags),
        idempotency_key=key,
        no_identifiers_confirmed=True,
    )
    return thread


@pytest.fixture
def library(world):
    forum = forum_for_cohort(world.cohort)
    strong = _thread(
        world.learner,
        forum,
        "Postpartum haemorrhage after home birth",
        "Heavy haemorrhage, uterus boggy; we gave oxytocin.",
        "a",
        ["case"],
    )
    weak = _thread(
        world.learner,
        forum,
        "Stock list for the labour ward",
        "Gloves, cannulas, and one note on haemorrhage kits.",
        "b",
        ["resource"],
    )
    other = _thread(
        world.other_learner,
        forum_for_cohort(world.other_cohort),
        "Haemorrhage case in cohort B",
        "Other cohort haemorrhage secret.",
        "c",
    )
    return strong, weak, other


@pytest.mark.postgres
def test_results_are_ranked_title_matches_first(world, library):
    strong, weak, _other = library
    hits = selectors.search(world.learner, "haemorrhage")
    assert [h.post.thread_id for h in hits] == [strong.pk, weak.pk]
    assert hits[0].rank > hits[1].rank
    assert "<mark>" in hits[0].snippet


@pytest.mark.postgres
def test_websearch_syntax_and_stemming_work(world, library):
    strong, _weak, _other = library
    # "haemorrhages" stems to the same lexeme; "-kits" excludes the stock list
    hits = selectors.search(world.learner, "haemorrhages -kits")
    assert [h.post.thread_id for h in hits] == [strong.pk]


@pytest.mark.postgres
def test_the_search_vector_is_stored_and_gin_indexed(world, library):
    from django.db import connection

    strong = library[0]
    assert (
        strong.posts.get()
        .__class__.objects.filter(pk=strong.posts.get().pk, search_vector__isnull=False)
        .exists()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'forums_post_search_gin'"
        )
        assert "gin" in cursor.fetchone()[0].lower()


@pytest.mark.parametrize(
    "role", ["learner", "mentor_of_cohort", "org_admin", "other_learner", "outsider"]
)
def test_nothing_leaks_across_cohorts(world, library, role):
    user = getattr(world, role)
    found = {h.post.thread_id for h in selectors.search(user, "haemorrhage")}
    strong, weak, other = library
    if role in {"learner", "mentor_of_cohort", "org_admin"}:
        assert found == {strong.pk, weak.pk}
    elif role == "other_learner":
        assert found == {other.pk}
    else:
        assert found == set()


def test_tag_and_forum_filters(world, library):
    strong, weak, _ = library
    hits = selectors.search(world.learner, "haemorrhage", tag="resource")
    assert [h.post.thread_id for h in hits] == [weak.pk]
    other_forum = forum_create(cohort=world.cohort, title="Library")
    moderation.thread_move(
        actor=world.mentor_of_cohort, thread=strong, forum=other_forum
    )
    hits = selectors.search(world.learner, "haemorrhage", forum_id=other_forum.pk)
    assert [h.post.thread_id for h in hits] == [strong.pk]


def test_hidden_posts_are_not_found_by_other_members(world, library):
    strong = library[0]
    moderation.post_hide(
        actor=world.mentor_of_cohort, post=strong.posts.get(), reason="identifiers"
    )
    learner_b = world.learner  # the author still finds their own post
    assert strong.pk in {h.post.thread_id for h in selectors.search(learner_b, "boggy")}
    from cpd import services
    from tests.factories.cpd import UserFactory

    member = UserFactory()
    services.membership_add(cohort=world.cohort, user=member, role="learner")
    assert selectors.search(member, "boggy") == []


def test_empty_query_finds_nothing(world, library):
    assert selectors.search(world.learner, "   ") == []


def test_fallback_or_fts_both_find_a_simple_word(world, library):
    # Runs on both engines: the embedded SQLite demo must still search.
    hits = selectors.search(world.learner, "oxytocin")
    assert [h.post.thread_id for h in hits] == [library[0].pk]
    assert on_postgres() or hits[0].rank == 0.0


def test_a_post_in_another_cohorts_forum_is_never_found_even_when_it_ranks_best(
    world, library, settings
):
    # given the other cohort's newest post, matching in title and body many times
    settings.FORUMS_SEARCH_MAX_RANKED = 1
    _thread(
        world.other_learner,
        forum_for_cohort(world.other_cohort),
        "Haemorrhage haemorrhage haemorrhage",
        "Haemorrhage, haemorrhage, haemorrhage: oxytocin, oxytocin.",
        "d",
    )
    # when the learner of cohort A searches, with room to rank one post only
    hits = selectors.search(world.learner, "oxytocin")
    # then they get their own cohort's best post, never cohort B's
    assert [h.post.thread_id for h in hits] == [library[0].pk]


@pytest.mark.postgres
def test_only_the_newest_scoped_matches_are_ranked(world, library, settings):
    strong, weak, _other = library
    # given a cap of one ranked row: the newest scoped match is the weak one
    settings.FORUMS_SEARCH_MAX_RANKED = 1
    # when searching a word both match (strong ranks higher but is older)
    hits = selectors.search(world.learner, "haemorrhage")
    # then only the newest is ranked and returned
    assert [h.post.thread_id for h in hits] == [weak.pk]
    # and with room for both, the better one comes first again
    settings.FORUMS_SEARCH_MAX_RANKED = 2
    hits = selectors.search(world.learner, "haemorrhage")
    assert [h.post.thread_id for h in hits] == [strong.pk, weak.pk]

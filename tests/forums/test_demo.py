"""The forum demo seed: threads in both cohorts, an answered case, safe to rerun."""

from io import StringIO

from django.core.management import call_command

from forums.models import Forum, HelpfulMark, Post, Thread


def test_seed_demo_adds_forum_threads_once(db):
    call_command("seed_demo", stdout=StringIO())
    counts = (
        Forum.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
        HelpfulMark.objects.count(),
    )
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        Forum.objects.count(),
        Thread.objects.count(),
        Post.objects.count(),
        HelpfulMark.objects.count(),
    )
    cohorts = {
        t.forum.cohort.name for t in Thread.objects.select_related("forum__cohort")
    }
    assert len(cohorts) == 2
    case = Thread.objects.get(title__startswith="PPH after home delivery")
    answer = case.accepted_post
    assert answer is not None
    assert answer.author is not None
    assert answer.author.display_name == "Dr Amina Otieno"
    assert {t.name for t in case.tags.all()} >= {"case", "question"}
    opening = case.posts.first()
    assert opening is not None
    assert opening.no_identifiers_confirmed

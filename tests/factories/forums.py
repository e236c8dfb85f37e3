"""Factories for forums, threads and posts (HTML rendered as the service does)."""

import factory
from django.utils import timezone

from cpd.rich_text import render_markdown
from forums.models import Forum, Post, Thread
from forums.services.revision import threads_changed
from tests.factories.cpd import CohortFactory, UserFactory


class ForumFactory(factory.django.DjangoModelFactory[Forum]):
    class Meta:
        model = Forum

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Forum {n}")
    is_default = False
    position = 1


class ThreadFactory(factory.django.DjangoModelFactory[Thread]):
    class Meta:
        model = Thread

    forum = factory.SubFactory(ForumFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)
    last_post_at = factory.LazyFunction(timezone.now)


class PostFactory(factory.django.DjangoModelFactory[Post]):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Reply number {n} about oxytocin dosing")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))

    @factory.post_generation
    def revision(obj: Post, create: bool, extracted: object, **kwargs: object) -> None:
        # As the posting service does: the thread page renders the new post.
        if create:
            threads_changed([obj.thread_id])

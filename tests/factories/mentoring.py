"""Factories for mentoring: profiles, pairings, conversations and check-ins."""

import datetime as dt

import factory
from django.utils import timezone

from cpd.rich_text import render_markdown
from mentoring.models import (
    CheckIn,
    Conversation,
    ConversationMember,
    MentorProfile,
    Message,
    Pairing,
    Specialty,
)
from tests.factories.cpd import CohortFactory, UserFactory


class SpecialtyFactory(factory.django.DjangoModelFactory[Specialty]):
    class Meta:
        model = Specialty
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Specialty {n}")
    slug = factory.Sequence(lambda n: f"specialty-{n}")
    cadres = factory.LazyFunction(lambda: ["nurse"])


class MentorProfileFactory(factory.django.DjangoModelFactory[MentorProfile]):
    class Meta:
        model = MentorProfile

    user = factory.SubFactory(UserFactory)
    languages = factory.LazyFunction(lambda: ["en"])
    districts = factory.LazyFunction(lambda: ["Kisumu"])
    capacity = 5


class PairingFactory(factory.django.DjangoModelFactory[Pairing]):
    """A bare pairing row; tests that need conversations use the services."""

    class Meta:
        model = Pairing

    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(UserFactory)
    learner = factory.SubFactory(UserFactory)


class ConversationFactory(factory.django.DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(UserFactory)
    learner = factory.SubFactory(UserFactory)

    @factory.post_generation
    def with_members(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            for user_id in (obj.mentor_id, obj.learner_id):
                if user_id:
                    ConversationMember.objects.get_or_create(
                        conversation=obj, user_id=user_id
                    )


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    author = factory.LazyAttribute(lambda o: o.conversation.learner)
    body = "Hello"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class CheckInFactory(factory.django.DjangoModelFactory[CheckIn]):
    class Meta:
        model = CheckIn

    conversation = factory.SubFactory(ConversationFactory)
    scheduled_for = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    mode = "call"

    class Params:
        overdue = factory.Trait(
            scheduled_for=factory.LazyFunction(
                lambda: timezone.now() - dt.timedelta(days=1)
            )
        )

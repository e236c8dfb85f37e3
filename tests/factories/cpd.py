"""Factories for people, organisations, cohorts, memberships and invitations."""

import datetime as dt

import factory
from django.utils import timezone

from cpd.models import Cohort, Invitation, Membership, Organisation, Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    cadre = "nurse"
    district = "Kisumu"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Health Training Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    country = "Kenya"


class CohortFactory(factory.django.DjangoModelFactory[Cohort]):
    class Meta:
        model = Cohort

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    starts_on = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=7)
    )
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=90))


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.LEARNER


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    cohort = factory.SubFactory(CohortFactory)
    role = Role.LEARNER
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))

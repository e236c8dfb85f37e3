"""Mentoring pages by role: dashboard, admin view, conversations, check-ins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import CheckIn, Message
from tests.conftest import ROLES, client_as


def _get(client, world, role, url):
    return client_as(client, world.user(role)).get(url)


DASHBOARD = {
    "learner": 403,
    "mentor_of_cohort": 200,
    "other_mentor": 404,
    "org_admin": 403,
    "other_org_admin": 404,
    "outsider": 404,
    "anonymous": 302,
}
ADMIN = {**DASHBOARD, "mentor_of_cohort": 403, "org_admin": 200}
CONVERSATION = {
    "learner": 200,
    "mentor_of_cohort": 200,
    "other_mentor": 404,
    "org_admin": 404,
    "other_org_admin": 404,
    "outsider": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_by_role(client, world, paired, role):
    url = reverse("mentoring-dashboard", args=[world.cohort.pk])
    assert _get(client, world, role, url).status_code == DASHBOARD[role]


@pytest.mark.parametrize("role", ROLES)
def test_admin_view_by_role(client, world, paired, role):
    url = reverse("mentoring-admin", args=[world.cohort.pk])
    assert _get(client, world, role, url).status_code == ADMIN[role]


@pytest.mark.parametrize("role", ROLES)
def test_conversation_by_role(client, world, paired, role):
    conv_a, _ = paired
    url = reverse("mentoring-conversation", args=[conv_a.pk])
    response = _get(client, world, role, url)
    assert response.status_code == CONVERSATION[role]
    assert (b"SECRET question" in response.content) == (response.status_code == 200)


def test_admin_sees_load_and_counts_but_not_private_bodies(client, world, paired):
    response = _get(
        client, world, "org_admin", reverse("mentoring-admin", args=[world.cohort.pk])
    )
    html = response.content.decode()
    assert "Mentor A" in html
    assert "1/5" in html  # mentees vs capacity
    assert "2 messages" in html
    assert "SECRET" not in html


def test_a_reported_message_body_shows_on_the_admin_view(client, world, paired):
    conv_a, _ = paired
    message = conv_a.messages.get(body__contains="SECRET")
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("mentoring-message-report", args=[message.pk]),
        {"reason": "patient name"},
    )
    assert response.status_code == 302
    client_as(client, world.org_admin)
    html = client.get(reverse("mentoring-admin", args=[world.cohort.pk])).content
    assert b"SECRET question" in html
    assert b"patient name" in html


def test_a_mentee_sees_only_their_mentors_conversation_on_home(client, world, paired):
    html = _get(client, world, "learner", reverse("mentoring-home")).content.decode()
    assert "Mentor A" in html
    assert "Mentor B" not in html


def test_another_mentor_sees_no_conversation_of_cohort_a(client, world, paired):
    html = _get(
        client, world, "other_mentor", reverse("mentoring-home")
    ).content.decode()
    assert "Learner A" not in html


def test_sending_a_message_renders_sanitised_markdown(client, world, paired):
    conv_a, _ = paired
    client_as(client, world.mentor_of_cohort)
    url = reverse("mentoring-conversation", args=[conv_a.pk])
    response = client.post(url, {"body": "**Bold** <script>x()</script>"})
    assert response.status_code == 302
    message = Message.objects.latest("id")
    assert "<strong>Bold</strong>" in message.body_html
    assert "<script>" not in message.body_html


def test_an_empty_message_is_refused_with_400_and_a_message(client, world, paired):
    conv_a, _ = paired
    client_as(client, world.learner)
    url = reverse("mentoring-conversation", args=[conv_a.pk])
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_the_mentor_schedules_a_check_in_and_the_learner_sees_the_actions(
    client, world, paired
):
    conv_a, _ = paired
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("mentoring-checkin-create", args=[conv_a.pk]),
        {"scheduled_for": when, "mode": "call", "agreed_actions": "Read lesson 3"},
    )
    assert response.status_code == 302
    client_as(client, world.learner)
    html = client.get(reverse("mentoring-home")).content.decode()
    assert "Read lesson 3" in html


def test_a_check_in_in_the_past_is_refused_and_the_input_kept(client, world, paired):
    conv_a, _ = paired
    client_as(client, world.mentor_of_cohort)
    response = client.post(
        reverse("mentoring-checkin-create", args=[conv_a.pk]),
        {"scheduled_for": "2020-01-01T10:00", "mode": "call", "agreed_actions": "Keep"},
    )
    assert response.status_code == 400
    assert b"future" in response.content
    assert b"Keep" in response.content
    assert not CheckIn.objects.exists()


def test_a_learner_cannot_schedule_check_ins(client, world, paired):
    conv_a, _ = paired
    client_as(client, world.learner)
    response = client.post(
        reverse("mentoring-checkin-create", args=[conv_a.pk]),
        {"scheduled_for": "2030-01-01T10:00", "mode": "call"},
    )
    assert response.status_code == 403


def test_admin_preview_then_confirm_with_a_change(client, world):
    client_as(client, world.org_admin)
    url = reverse("mentoring-admin", args=[world.cohort.pk])
    preview = client.get(url, {"mode": "one_to_one"})
    assert preview.status_code == 200
    assert b"Confirm pairing" in preview.content
    response = client.post(
        reverse("mentoring-pairing-confirm", args=[world.cohort.pk]),
        {
            "mode": "one_to_one",
            f"learner_{world.learner.pk}": world.mentor_of_cohort.pk,
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert 'Mentor A <span class="flip">→</span> Learner A' in html
    assert "automatic pairing" in html


def test_reassign_form_without_reason_is_400_and_keeps_the_choice(
    client, world, paired
):
    client_as(client, world.org_admin)
    url = reverse("mentoring-admin", args=[world.cohort.pk])
    response = client.post(
        url, {"learner": world.learner.pk, "mentor": "", "reason": ""}
    )
    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_mentor_edits_profile(client, world):
    client_as(client, world.mentor_of_cohort)
    url = reverse("mentoring-profile")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"languages": ["en", "sw"], "districts": "Kisumu, Siaya", "capacity": 7}
    )
    assert response.status_code == 302
    profile = world.mentor_of_cohort.mentor_profile
    assert (profile.capacity, profile.districts) == (7, ["Kisumu", "Siaya"])


def test_a_learner_has_no_mentor_profile_page(client, world):
    client_as(client, world.learner)
    assert client.get(reverse("mentoring-profile")).status_code == 403


def test_confirm_over_capacity_is_400_with_the_reason_and_choices_kept(client, world):
    from cpd import services as cpd_services
    from cpd.models import Role
    from tests.factories.cpd import UserFactory
    from tests.factories.mentoring import MentorProfileFactory

    MentorProfileFactory(user=world.mentor_of_cohort, capacity=1)
    extra = UserFactory(display_name="Extra")
    cpd_services.membership_add(cohort=world.cohort, user=extra, role=Role.LEARNER)
    client_as(client, world.org_admin)
    response = client.post(
        reverse("mentoring-pairing-confirm", args=[world.cohort.pk]),
        {
            "mode": "one_to_one",
            f"learner_{world.learner.pk}": world.mentor_of_cohort.pk,
            f"learner_{extra.pk}": world.mentor_of_cohort.pk,
            "reason": "my note",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "capacity" in html
    assert 'value="my note"' in html
    assert html.count(f'<option value="{world.mentor_of_cohort.pk}" selected>') == 2


@pytest.mark.parametrize("role", ROLES)
def test_mentoring_home_by_role(client, world, paired, role):
    response = _get(client, world, role, reverse("mentoring-home"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert ("My mentees" in html) == (role in {"mentor_of_cohort", "other_mentor"})
    assert ("Mentors and pairing" in html) == (role in {"org_admin", "other_org_admin"})
    assert ("Cohort A" in html) == (
        role in {"learner", "mentor_of_cohort", "org_admin"}
    )


def test_preview_says_what_each_proposed_pair_shares(client, world):
    client_as(client, world.org_admin)
    url = reverse("mentoring-admin", args=[world.cohort.pk])
    html = client.get(url, {"mode": "one_to_one"}).content.decode()
    # Learner A and Mentor A are both English-speaking, in Kisumu; no specialties
    assert "Shares: language, district" in html


def test_the_learner_sees_the_mentors_availability(client, world, paired):
    from tests.factories.mentoring import MentorProfileFactory, SpecialtyFactory

    profile = MentorProfileFactory(
        user=world.mentor_of_cohort, availability="Evenings after 6"
    )
    profile.specialties.add(SpecialtyFactory(name="Neonatal care"))
    conv_a, _ = paired
    html = _get(
        client, world, "learner", reverse("mentoring-conversation", args=[conv_a.pk])
    ).content.decode()
    assert "Evenings after 6" in html
    assert "Neonatal care" in html

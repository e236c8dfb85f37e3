"""A cohort's notification defaults and its delivery log: administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cpd.models import Role
from cpd.notifications import services
from cpd.notifications.kinds import kind_get
from cpd.notifications.models import (
    Channel,
    CohortDefault,
    Delivery,
    DeliveryStatus,
    Mode,
    Notification,
    Preference,
)
from cpd.notifications.policies import (
    can_manage_cohort_notifications,
    can_view_delivery_log,
)
from cpd.services import membership_add
from tests.conftest import COHORT_ADMIN_PAGE, ROLES, client_as
from tests.factories.cpd import UserFactory

KIND = "forums.reply"  # SMS off by default
PHONE = "+254700123456"

# cohort A's administrator only; members of other roles are refused, and the
# cohort is not even shown to those outside it.
EXPECTED_PAGE = COHORT_ADMIN_PAGE
EXPECTED_API = {**EXPECTED_PAGE, "anonymous": 403}


def _deliveries(world, n: int, *, status: str = DeliveryStatus.SENT) -> None:
    for i in range(n):
        note = Notification.objects.create(
            user=world.learner, kind=KIND, cohort=world.cohort, text=f"n{i}"
        )
        Delivery.objects.create(
            notification=note,
            channel=Channel.SMS,
            status=status,
            provider_id=f"ATXid_{i}",
            cost="KES 0.8000",
        )


@pytest.mark.parametrize("role", ROLES)
def test_policies_by_role(world, role):
    user = world.user(role)
    assert can_manage_cohort_notifications(user, world.cohort) is (role == "org_admin")
    assert can_view_delivery_log(user, world.cohort) is (role == "org_admin")


def test_a_cohort_admin_by_membership_may_too(world):
    admin = UserFactory()
    membership_add(cohort=world.cohort, user=admin, role=Role.ADMIN)
    assert can_manage_cohort_notifications(admin, world.cohort)
    assert not can_manage_cohort_notifications(admin, world.other_cohort)


@pytest.mark.parametrize("role", ROLES)
def test_defaults_page_and_api_by_role(client, api_client, world, role):
    client_as(client, world.user(role))
    url = reverse("notifications-cohort-defaults", args=[world.cohort.pk])
    assert client.get(url).status_code == EXPECTED_PAGE[role]
    posted = client.post(url, {f"{KIND}:sms": Mode.IMMEDIATE})
    assert posted.status_code in (
        (302, 400) if role == "org_admin" else (EXPECTED_PAGE[role],)
    )
    client_as(api_client, world.user(role))
    api = reverse("api-notification-cohort-defaults", args=[world.cohort.pk])
    assert api_client.get(api).status_code == EXPECTED_API[role]
    put = api_client.put(
        api, [{"kind": KIND, "channel": "sms", "mode": "immediate"}], format="json"
    )
    assert put.status_code == EXPECTED_API[role]
    written = CohortDefault.objects.filter(cohort=world.cohort).exists()
    assert written is (role == "org_admin")


def test_the_service_refuses_a_non_admin(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.cohort_defaults_set(
            actor=world.mentor_of_cohort,
            cohort=world.cohort,
            choices={(KIND, "sms"): Mode.IMMEDIATE},
        )
    assert not CohortDefault.objects.exists()


def test_the_page_saves_and_a_mode_back_to_the_default_removes_the_row(client, world):
    client_as(client, world.org_admin)
    url = reverse("notifications-cohort-defaults", args=[world.cohort.pk])
    page = client.get(url)
    data = {name: field.initial for name, field in page.context["form"].fields.items()}
    data[f"{KIND}:sms"] = Mode.IMMEDIATE
    assert client.post(url, data).status_code == 302
    assert list(CohortDefault.objects.values_list("kind", "channel", "mode")) == [
        (KIND, "sms", "immediate")
    ]
    data[f"{KIND}:sms"] = kind_get(KIND).default("sms")
    assert client.post(url, data).status_code == 302
    assert not CohortDefault.objects.exists()


def test_a_bad_mode_rerenders_with_errors(client, api_client, world):
    client_as(client, world.org_admin)
    url = reverse("notifications-cohort-defaults", args=[world.cohort.pk])
    response = client.post(url, {f"{KIND}:sms": "loud"})
    assert response.status_code == 400
    assert response.context["form"].errors[f"{KIND}:sms"]
    client_as(api_client, world.org_admin)
    api = reverse("api-notification-cohort-defaults", args=[world.cohort.pk])
    bad = api_client.put(
        api, [{"kind": "no.such", "channel": "sms", "mode": "off"}], format="json"
    )
    assert bad.status_code == 400
    assert "kind" in bad.json()
    bad = api_client.put(
        api, [{"kind": KIND, "channel": "fax", "mode": "off"}], format="json"
    )
    assert bad.status_code == 400


def test_own_choice_beats_the_cohort_which_beats_the_kind(world):
    world.learner.phone = PHONE
    world.learner.save(update_fields=["phone"])

    def sms_owed(key: str) -> bool:
        note = services.notify(
            user=world.learner,
            kind=KIND,
            text="t",
            dedupe_key=key,
            cohort=world.cohort.pk,
        )
        assert note is not None
        return note.deliveries.filter(channel=Channel.SMS).exists()

    assert not sms_owed("a")  # the kind's default: SMS off
    services.cohort_defaults_set(
        actor=world.org_admin,
        cohort=world.cohort,
        choices={(KIND, "sms"): Mode.IMMEDIATE},
    )
    assert sms_owed("b")  # the cohort's override
    # another cohort's learner is not affected
    other = services.notify(
        user=world.learner, kind=KIND, text="t", dedupe_key="c", cohort=None
    )
    assert other is not None
    assert not other.deliveries.filter(channel=Channel.SMS).exists()
    Preference.objects.create(
        user=world.learner, kind=KIND, channel=Channel.SMS, mode=Mode.OFF
    )
    assert not sms_owed("d")  # the person's own choice wins


@pytest.mark.parametrize("role", ROLES)
def test_delivery_log_by_role(client, api_client, world, role):
    _deliveries(world, 2)
    client_as(client, world.user(role))
    url = reverse("notifications-delivery-log", args=[world.cohort.pk])
    page = client.get(url)
    assert page.status_code == EXPECTED_PAGE[role]
    if role == "org_admin":
        assert "ATXid_1" in page.content.decode()
    client_as(api_client, world.user(role))
    api = api_client.get(reverse("api-notification-deliveries", args=[world.cohort.pk]))
    assert api.status_code == EXPECTED_API[role]
    if role == "org_admin":
        assert {r["provider_id"] for r in api.json()["results"]} == {
            "ATXid_0",
            "ATXid_1",
        }


def test_delivery_log_shows_only_its_cohort_and_filters(client, api_client, world):
    _deliveries(world, 2)
    _deliveries(world, 1, status=DeliveryStatus.FAILED)
    elsewhere = Notification.objects.create(
        user=world.other_learner, kind=KIND, cohort=world.other_cohort, text="B"
    )
    Delivery.objects.create(
        notification=elsewhere, channel=Channel.SMS, provider_id="ATXid_B"
    )
    client_as(client, world.org_admin)
    url = reverse("notifications-delivery-log", args=[world.cohort.pk])
    assert "ATXid_B" not in client.get(url).content.decode()
    failed = client.get(url, {"status": "failed", "channel": "sms"})
    assert len(failed.context["page"].object_list) == 1
    assert len(client.get(url, {"channel": "email"}).context["page"].object_list) == 0
    client_as(api_client, world.org_admin)
    api = reverse("api-notification-deliveries", args=[world.cohort.pk])
    assert len(api_client.get(api, {"status": "failed"}).json()["results"]) == 1
    bad = api_client.get(api, {"status": "lost"})
    assert bad.status_code == 400
    assert "status" in bad.json()


@pytest.mark.parametrize("n", [5, 50])
def test_the_delivery_log_costs_the_same_as_it_grows(
    client, api_client, world, n, django_assert_max_num_queries
):
    _deliveries(world, n)
    client_as(client, world.org_admin)
    with django_assert_max_num_queries(10):
        assert (
            client.get(
                reverse("notifications-delivery-log", args=[world.cohort.pk])
            ).status_code
            == 200
        )
    client_as(api_client, world.org_admin)
    with django_assert_max_num_queries(10):
        assert (
            api_client.get(
                reverse("api-notification-deliveries", args=[world.cohort.pk])
            ).status_code
            == 200
        )


@pytest.mark.parametrize("n", [1, 10])
def test_the_defaults_page_costs_the_same_with_more_overrides(
    client, world, n, django_assert_max_num_queries
):
    from cpd.notifications.kinds import kinds

    for kind in kinds()[:n]:
        CohortDefault.objects.create(
            cohort=world.cohort, kind=kind.name, channel="sms", mode="immediate"
        )
    client_as(client, world.org_admin)
    with django_assert_max_num_queries(10):
        assert (
            client.get(
                reverse("notifications-cohort-defaults", args=[world.cohort.pk])
            ).status_code
            == 200
        )


def test_the_admin_nav_links_to_the_page(client, world):
    client_as(client, world.org_admin)
    page = client.get(reverse("admin-cohort-members", args=[world.cohort.pk]))
    assert (
        reverse("notifications-cohort-defaults", args=[world.cohort.pk])
        in page.content.decode()
    )

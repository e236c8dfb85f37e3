"""Join links: a code and a limit for a workshop room, used atomically."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cpd import policies
from cpd.adapters import JOIN_CODE_SESSION_KEY
from cpd.invitations import selectors as inv_selectors
from cpd.invitations import services as inv_services
from cpd.limits import RateLimited
from cpd.models import JoinLink, Membership, Role, User
from tests.conftest import COHORT_ADMIN_API, ROLES, client_as
from tests.factories.cpd import UserFactory

pytestmark = pytest.mark.django_db

TOMORROW = dt.timedelta(days=1)


def _link(world, *, max_uses: int = 3, role: str = Role.LEARNER, **extra) -> JoinLink:
    link = inv_services.join_link_create(
        actor=world.org_admin,
        cohort=world.cohort,
        max_uses=max_uses,
        expires_at=timezone.now() + TOMORROW,
        role=role,
    )
    if extra:
        JoinLink.objects.filter(pk=link.pk).update(**extra)
        link.refresh_from_db()
    return link


def _uses(link: JoinLink) -> int:
    return JoinLink.objects.values_list("uses", flat=True).get(pk=link.pk)


# --- the service ----------------------------------------------------------------


def test_a_code_typed_any_way_joins_the_cohort_in_the_links_role(world):
    link = _link(world, role=Role.MENTOR)
    typed = f" {link.code[:4].lower()}-{link.code[4:]} "
    membership, joined = inv_services.join_link_use(actor=world.outsider, code=typed)
    assert joined
    assert membership.cohort == world.cohort
    assert membership.role == Role.MENTOR
    assert _uses(link) == 1


def test_joining_again_is_idempotent_and_uses_no_place(world):
    link = _link(world, max_uses=1)
    inv_services.join_link_use(actor=world.outsider, code=link.code)
    membership, joined = inv_services.join_link_use(
        actor=world.outsider, code=link.code
    )
    assert not joined
    assert membership.user == world.outsider
    assert _uses(link) == 1
    # someone already in the cohort (the learner) uses no place either
    _, joined = inv_services.join_link_use(actor=world.learner, code=link.code)
    assert not joined
    assert _uses(link) == 1


def test_the_last_place_goes_to_one_person_only(world):
    link = _link(world, max_uses=2)
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    inv_services.join_link_use(actor=first, code=link.code)
    inv_services.join_link_use(actor=second, code=link.code)
    with pytest.raises(ValidationError, match="full"):
        inv_services.join_link_use(actor=third, code=link.code)
    assert _uses(link) == 2
    assert not Membership.objects.filter(user=third).exists()


def test_the_database_limit_stops_a_stale_read(world, monkeypatch):
    # given a link already full, but a check that reads it as usable (the race
    # a missing lock would allow)
    link = _link(world, max_uses=1, uses=1)
    monkeypatch.setattr(JoinLink, "is_usable", property(lambda self: True))
    # when someone joins, the database's check refuses the extra use
    with pytest.raises(ValidationError, match="full"):
        inv_services.join_link_use(actor=world.outsider, code=link.code)
    assert _uses(link) == 1
    assert not Membership.objects.filter(user=world.outsider).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"revoked_at": timezone.now()}, "withdrawn"),
        ({"expires_at": timezone.now() - TOMORROW}, "expired"),
        ({"uses": 3}, "full"),
    ],
)
def test_an_unusable_code_is_refused_with_a_clear_message(world, change, message):
    link = _link(world, **change)
    with pytest.raises(ValidationError, match=message):
        inv_services.join_link_use(actor=world.outsider, code=link.code)
    assert not Membership.objects.filter(user=world.outsider).exists()


def test_an_archived_cohort_takes_no_one_by_code(world):
    link = _link(world)
    world.cohort.archived_at = timezone.now()
    world.cohort.save()
    with pytest.raises(ValidationError, match="archived"):
        inv_services.join_link_use(actor=world.outsider, code=link.code)


def test_wrong_codes_are_rate_limited_and_then_even_a_right_one_waits(world):
    link = _link(world)
    for _ in range(10):
        with pytest.raises(ValidationError, match="No cohort has this code"):
            inv_services.join_link_use(actor=world.outsider, code="WRONGONE")
    with pytest.raises(RateLimited):
        inv_services.join_link_use(actor=world.outsider, code=link.code)
    # another person is not held back
    inv_services.join_link_use(actor=world.other_learner, code=link.code)


def test_a_right_code_is_never_counted_against_the_limit(world):
    link = _link(world, max_uses=50)
    for _ in range(15):
        inv_services.join_link_use(actor=world.outsider, code=link.code)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "org_admin"])
def test_only_the_cohorts_admins_create_and_revoke_links(world, role):
    actor = world.user(role)
    with pytest.raises(PermissionDenied):
        inv_services.join_link_create(
            actor=actor,
            cohort=world.cohort,
            max_uses=5,
            expires_at=timezone.now() + TOMORROW,
        )
    link = _link(world)
    with pytest.raises(PermissionDenied):
        inv_services.join_link_revoke(actor=actor, link=link)


def test_a_link_needs_a_sane_limit_and_a_future_expiry(world):
    with pytest.raises(ValidationError) as error:
        inv_services.join_link_create(
            actor=world.org_admin,
            cohort=world.cohort,
            max_uses=0,
            expires_at=timezone.now() - TOMORROW,
        )
    assert set(error.value.message_dict) == {"max_uses", "expires_at"}


@pytest.mark.parametrize("role", ROLES)
def test_join_links_are_visible_to_the_cohorts_admins_only(world, role):
    mine = _link(world)
    theirs = JoinLink.objects.create(
        cohort=world.other_cohort, max_uses=1, expires_at=timezone.now() + TOMORROW
    )
    user = world.user(role)
    visible = set(
        JoinLink.objects.filter(policies.join_links_visible_to(user)).values_list(
            "pk", flat=True
        )
    )
    expected = {"org_admin": {mine.pk}, "other_org_admin": {theirs.pk}}.get(role, set())
    assert visible == expected
    assert policies.can_use_join_link(user, mine) == (role != "anonymous")
    assert policies.can_manage_join_link(user, mine) == (role == "org_admin")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_people_joining_at_once_never_pass_the_limit(world):
    """Ten people press Join at the same moment for three places (PostgreSQL)."""
    link = _link(world, max_uses=3)
    people = [UserFactory() for _ in range(10)]
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def join(user: User) -> None:
        start.wait()
        try:
            inv_services.join_link_use(actor=user, code=link.code)
            outcomes.append("joined")
        except ValidationError:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full"] * 7 + ["joined"] * 3  # no one saw an error
    assert _uses(link) == 3
    assert Membership.objects.filter(cohort=world.cohort, user__in=people).count() == 3


# --- pages -----------------------------------------------------------------------


def test_the_admins_page_shows_the_code_to_read_aloud_and_a_qr(client, world):
    link = _link(world)
    client_as(client, world.org_admin)
    page = client.get(reverse("cohort-invitations", args=[world.cohort.pk]))
    content = page.content.decode()
    assert f"{link.code[:4]} {link.code[4:]}" in content
    assert content.count("<svg") == 2  # the QR code, beside the bell icon
    assert f"/join/{link.code}/" in content


def test_an_admin_makes_a_link_from_the_page_and_errors_re_render(client, world):
    client_as(client, world.org_admin)
    url = reverse("cohort-invitations", args=[world.cohort.pk])
    day = (timezone.localdate() + TOMORROW).isoformat()
    made = client.post(
        url, {"form": "link", "role": "learner", "max_uses": 25, "expires_on": day}
    )
    assert made.status_code == 302
    link = JoinLink.objects.get(cohort=world.cohort)
    assert (link.max_uses, link.created_by) == (25, world.org_admin)
    bad = client.post(
        url,
        {"form": "link", "role": "learner", "max_uses": 0, "expires_on": "2001-01-01"},
    )
    assert bad.status_code == 400
    assert set(bad.context["link_form"].errors) == {"max_uses", "expires_on"}


PAGE_STATUS = {
    "learner": 403,
    "mentor_of_cohort": 403,
    "other_mentor": 404,
    "org_admin": 302,
    "other_org_admin": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_revoking_from_the_page_by_role(client, world, role):
    link = _link(world)
    client_as(client, world.user(role))
    response = client.post(reverse("join-link-revoke", args=[world.cohort.pk, link.pk]))
    link.refresh_from_db()
    assert (link.revoked_at is not None) == (role == "org_admin")
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == PAGE_STATUS[role]


def test_a_signed_in_person_confirms_then_joins(client, world):
    link = _link(world)
    client_as(client, world.outsider)
    url = reverse("join-open", args=[link.code])
    page = client.get(url)
    assert page.status_code == 200
    assert _uses(link) == 0  # opening (a scanned QR) joins no one
    response = client.post(url)
    assert response["Location"] == reverse("cohort-detail", args=[world.cohort.pk])
    assert _uses(link) == 1
    # a second press changes nothing
    assert client.post(url).status_code == 302
    assert _uses(link) == 1


def test_the_join_page_takes_a_typed_code(client, world):
    link = _link(world)
    client_as(client, world.outsider)
    typed = f"{link.code[:4].lower()} {link.code[4:].lower()}"
    response = client.post(reverse("join-code"), {"code": typed})
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.outsider, cohort=world.cohort).exists()
    wrong = client.post(reverse("join-code"), {"code": "NOPE-NOPE"})
    assert wrong.status_code == 400
    assert "No cohort has this code" in wrong.content.decode()


def test_a_full_code_says_so_on_the_page(client, world):
    link = _link(world, max_uses=1, uses=1)
    client_as(client, world.outsider)
    page = client.get(reverse("join-open", args=[link.code]))
    assert page.status_code == 400
    assert "full" in page.content.decode()


def test_too_many_wrong_codes_answer_429_on_the_page(client, world):
    client_as(client, world.outsider)
    for _ in range(10):
        client.post(reverse("join-code"), {"code": "WRONGONE"})
    response = client.post(reverse("join-code"), {"code": "WRONGTWO"})
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()


def test_a_visitor_signs_up_with_the_code_and_is_in_the_cohort(client, world):
    # given a visitor who scans the code (no account)
    link = _link(world)
    page = client.get(reverse("join-open", args=[link.code.lower()]))
    assert page.status_code == 200
    assert client.session[JOIN_CODE_SESSION_KEY] == link.code
    # when they sign up (open to them only because of the code)
    response = client.post(
        reverse("account_signup"),
        {
            "phone": "+254711000999",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
            "display_name": "Nurse Atieno",
            "preferred_language": "en",
        },
    )
    # then they are in the cohort, and one place is used
    assert response.status_code == 302
    user = User.objects.get(phone="+254711000999")
    assert Membership.objects.get(user=user).cohort == world.cohort
    assert _uses(link) == 1
    assert JOIN_CODE_SESSION_KEY not in client.session


def test_a_visitor_with_an_account_signs_in_then_confirms(client, world):
    link = _link(world)
    page = client.get(reverse("join-open", args=[link.code]))
    login = page.context["login_url"]
    assert login.startswith(reverse("account_login"))
    assert f"next=/join/{link.code}/" in login


def test_a_visitor_with_a_wrong_code_gets_no_sign_up(client, world):
    page = client.get(reverse("join-open", args=["ABCDEFGH"]))
    assert page.status_code == 400
    assert JOIN_CODE_SESSION_KEY not in client.session
    signup = client.get(reverse("account_signup"))
    assert "by invitation" in signup.content.decode()


def test_visitors_guessing_codes_are_limited_by_address(client, world):
    for _ in range(10):
        client.get(reverse("join-open", args=["WRONGONE"]))
    link = _link(world)
    assert client.get(reverse("join-open", args=[link.code])).status_code == 429


# --- API ------------------------------------------------------------------------

API_STATUS = COHORT_ADMIN_API


@pytest.mark.parametrize("role", ROLES)
def test_the_join_link_apis_by_role(api_client, world, role):
    link = _link(world)
    client_as(api_client, world.user(role))
    url = reverse("api-join-links", args=[world.cohort.pk])
    listed = api_client.get(url)
    assert listed.status_code == API_STATUS[role]
    created = api_client.post(
        url,
        {"max_uses": 10, "expires_at": (timezone.now() + TOMORROW).isoformat()},
        format="json",
    )
    assert created.status_code == {200: 201}.get(API_STATUS[role], API_STATUS[role])
    revoked = api_client.post(
        reverse("api-join-link-revoke", args=[world.cohort.pk, link.pk])
    )
    assert revoked.status_code == API_STATUS[role]
    if role == "org_admin":
        assert listed.json()["results"][0]["code"] == link.code
        assert created.json()["usable"] is True
        assert revoked.json()["usable"] is False


def test_the_join_link_api_gives_field_errors(api_client, world):
    client_as(api_client, world.org_admin)
    url = reverse("api-join-links", args=[world.cohort.pk])
    response = api_client.post(
        url, {"max_uses": 0, "expires_at": "yesterday"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"max_uses", "expires_at"}
    past = api_client.post(
        url, {"max_uses": 5, "expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert past.status_code == 400
    assert "expires_at" in past.json()


def test_the_join_link_list_costs_the_same_with_more_links(
    api_client, world, django_assert_max_num_queries
):
    client_as(api_client, world.org_admin)
    url = reverse("api-join-links", args=[world.cohort.pk])
    counts = []
    for size in (1, 15):
        for _ in range(size):
            _link(world)
        with django_assert_max_num_queries(10) as captured:
            assert api_client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role", ROLES)
def test_joining_by_code_through_the_api_by_role(api_client, world, role):
    link = _link(world)
    client_as(api_client, world.user(role))
    response = api_client.post(
        reverse("api-join"), {"code": link.code.lower()}, format="json"
    )
    if role == "anonymous":
        assert response.status_code == 403
        return
    already = role in {"learner", "mentor_of_cohort"}
    assert response.status_code == (200 if already else 201)
    assert response.json()["cohort"] == world.cohort.pk
    assert _uses(link) == (0 if already else 1)


def test_the_join_api_refuses_clearly(api_client, world):
    full = _link(world, max_uses=1, uses=1)
    client_as(api_client, world.outsider)
    response = api_client.post(reverse("api-join"), {"code": full.code}, format="json")
    assert response.status_code == 400
    assert "full" in response.json()["code"][0]
    assert api_client.post(reverse("api-join"), {}, format="json").status_code == 400
    for _ in range(10):
        api_client.post(reverse("api-join"), {"code": "WRONGONE"}, format="json")
    limited = api_client.post(reverse("api-join"), {"code": "X"}, format="json")
    assert limited.status_code == 429


def test_the_code_lookup_ignores_malformed_input():
    assert inv_selectors.join_link_by_code("") is None
    assert inv_selectors.join_link_by_code("A" * 40) is None
    assert inv_selectors.join_link_by_code("ab'; --") is None
    assert inv_services.join_code_normalise(" ab-cd  ef--gh ") == "ABCDEFGH"

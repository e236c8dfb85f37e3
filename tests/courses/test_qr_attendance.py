"""Signed QR attendance: rotating codes, offline grace, idempotent check-in."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from courses import policies
from courses.models import Attendance, Session
from courses.services import checkin
from cpd import services as cpd_services
from cpd.limits import RateLimited
from cpd.models import Activity, Role
from tests.conftest import ROLES, client_as
from tests.factories.courses import course_for
from tests.factories.cpd import UserFactory

CHECKS_IN = {"learner"}
SHOWS_CODE = {"mentor_of_cohort", "org_admin"}
SEES = {"learner", "mentor_of_cohort", "org_admin"}


def _session(cohort, *, starts_in=dt.timedelta(minutes=30), title="PPH drill"):
    now = timezone.now()
    return Session.objects.create(
        cohort=cohort,
        module=course_for(cohort).modules.get(),
        title=title,
        place="Ward 3",
        starts_at=now + starts_in,
        ends_at=now + starts_in + dt.timedelta(hours=2),
    )


@pytest.fixture
def session(world):
    return _session(world.cohort)


def _code(session, at=None):
    now = at or timezone.now()
    window = checkin.window_at(now)
    return window, checkin.checkin_signature(session, window)


# --- Signatures and windows ----------------------------------------------------------


def test_the_code_changes_every_30_seconds_and_is_stable_within_a_window(session):
    # given two moments in one window and one in the next
    start = checkin.window_start(checkin.window_at(timezone.now()))
    w1 = checkin.window_at(start)
    w1_late = checkin.window_at(start + dt.timedelta(seconds=29))
    w2 = checkin.window_at(start + dt.timedelta(seconds=30))
    # then the window, its signature and its short code turn together
    assert w1 == w1_late
    assert w2 == w1 + 1
    assert checkin.checkin_signature(session, w1) != checkin.checkin_signature(
        session, w2
    )
    assert checkin.checkin_short_code(session, w1) != checkin.checkin_short_code(
        session, w2
    )


def test_each_session_signs_with_its_own_salt(world, session):
    other = _session(world.cohort, title="Other drill")
    window = checkin.window_at(timezone.now())
    assert session.checkin_salt != other.checkin_salt
    assert checkin.checkin_signature(session, window) != checkin.checkin_signature(
        other, window
    )


def test_the_facilitator_sees_a_url_that_verifies(world, session):
    code = checkin.check_in_code_current(actor=world.mentor_of_cohort, session=session)
    query = parse_qs(urlsplit(code.path).query)
    assert urlsplit(code.path).path == f"/courses/sessions/{session.pk}/here/"
    assert query == {"w": [str(code.window)], "s": [code.signature]}
    assert len(code.code) == checkin.CODE_LENGTH
    assert 0 < code.seconds_left <= checkin.WINDOW_SECONDS
    result = checkin.attendance_check_in(
        actor=world.learner,
        session=session,
        window=code.window,
        signature=code.signature,
    )
    assert result.created


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_get_the_code(world, session, role):
    user = world.user(role)
    assert policies.can_show_check_in_code(user, session) is (role in SHOWS_CODE)
    if role not in SHOWS_CODE:
        with pytest.raises(PermissionDenied):
            checkin.check_in_code_current(actor=user, session=session)


def test_no_code_is_shown_before_the_register_opens(world):
    later = _session(world.cohort, starts_in=dt.timedelta(hours=3))
    with pytest.raises(ValidationError, match="opens an hour before"):
        checkin.check_in_code_current(actor=world.mentor_of_cohort, session=later)


# --- Checking in ----------------------------------------------------------------------


def test_a_scan_marks_the_learner_present_and_records_it(world, session):
    window, sig = _code(session)
    result = checkin.attendance_check_in(
        actor=world.learner, session=session, window=window, signature=sig
    )
    attendance = Attendance.objects.get(session=session)
    assert result.created
    assert attendance.user == world.learner
    assert attendance.marked_by == world.learner
    assert Activity.objects.filter(
        actor=world.learner, client_key=f"session:{session.pk}"
    ).exists()


def test_a_replayed_scan_changes_nothing(world, session):
    window, sig = _code(session)
    results = [
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window, signature=sig
        )
        for _ in range(5)
    ]
    assert [r.created for r in results] == [True, False, False, False, False]
    assert Attendance.objects.filter(session=session).count() == 1
    assert Activity.objects.filter(client_key=f"session:{session.pk}").count() == 1


def test_a_wrong_signature_is_refused(world, session):
    window, sig = _code(session)
    tampered = ("A" if sig[0] != "A" else "B") + sig[1:]
    with pytest.raises(ValidationError, match="not valid"):
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window, signature=tampered
        )
    assert not Attendance.objects.exists()


def test_a_signature_moved_to_another_window_is_refused(world, session):
    window, sig = _code(session)
    with pytest.raises(ValidationError, match="not valid"):
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window - 1, signature=sig
        )


def test_a_code_of_another_session_is_refused(world, session):
    other = _session(world.cohort, title="Other drill")
    window, sig = _code(other)
    with pytest.raises(ValidationError, match="not valid"):
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window, signature=sig
        )
    assert not Attendance.objects.exists()


def test_a_code_scanned_offline_counts_when_it_syncs_within_the_grace(world):
    # given a session that started 3 hours ago, and a scan during it
    session = _session(world.cohort, starts_in=dt.timedelta(hours=-3))
    scanned_at = timezone.now() - dt.timedelta(hours=2, minutes=50)
    window, sig = _code(session, at=scanned_at)
    # when the phone syncs hours later
    result = checkin.attendance_check_in(
        actor=world.learner, session=session, window=window, signature=sig
    )
    # then the window's time counts, not the arrival time
    assert result.created


@override_settings(ATTENDANCE_CHECKIN_GRACE=dt.timedelta(hours=1))
def test_a_code_older_than_the_grace_is_expired(world):
    session = _session(world.cohort, starts_in=dt.timedelta(hours=-3))
    window, sig = _code(session, at=timezone.now() - dt.timedelta(hours=2))
    with pytest.raises(ValidationError, match="expired"):
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window, signature=sig
        )


def test_the_grace_is_checked_against_the_window_not_the_arrival(world):
    session = _session(world.cohort, starts_in=dt.timedelta(hours=-3))
    window, sig = _code(session, at=timezone.now() - dt.timedelta(hours=2))
    # arriving just inside the 24 h grace counts; a minute past it does not
    shown_end = checkin.window_start(window) + dt.timedelta(seconds=30)
    inside = shown_end + dt.timedelta(hours=24) - dt.timedelta(minutes=1)
    outside = shown_end + dt.timedelta(hours=24, minutes=1)
    with pytest.raises(ValidationError, match="expired"):
        checkin.attendance_check_in(
            actor=world.learner,
            session=session,
            window=window,
            signature=sig,
            now=outside,
        )
    assert checkin.attendance_check_in(
        actor=world.learner, session=session, window=window, signature=sig, now=inside
    ).created


def test_a_code_from_the_future_is_refused(world, session):
    window, sig = _code(session, at=timezone.now() + dt.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="not valid"):
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window, signature=sig
        )


def test_a_signed_window_before_the_register_opened_is_refused(world, session):
    window, sig = _code(session, at=session.starts_at - dt.timedelta(hours=2))
    with pytest.raises(ValidationError, match="not valid"):
        checkin.attendance_check_in(
            actor=world.learner,
            session=session,
            window=window,
            signature=sig,
            now=session.starts_at,
        )


@pytest.mark.parametrize("role", ROLES)
def test_only_learners_of_the_cohort_check_in(world, session, role):
    user = world.user(role)
    assert policies.can_check_in(user, session) is (role in CHECKS_IN)
    if role == "anonymous":
        return
    window, sig = _code(session)
    if role in CHECKS_IN:
        assert checkin.attendance_check_in(
            actor=user, session=session, window=window, signature=sig
        ).created
        return
    with pytest.raises(PermissionDenied):
        checkin.attendance_check_in(
            actor=user, session=session, window=window, signature=sig
        )
    assert not Attendance.objects.exists()


def test_sessions_open_to_check_in_are_the_learners_cohorts(world, session):
    other = _session(world.other_cohort)
    visible = set(
        Session.objects.filter(policies.sessions_open_to_check_in(world.learner))
    )
    assert visible == {session}
    assert set(
        Session.objects.filter(policies.sessions_open_to_check_in(world.other_learner))
    ) == {other}
    assert not Session.objects.filter(
        policies.sessions_open_to_check_in(world.mentor_of_cohort)
    ).exists()


# --- Typed short codes ----------------------------------------------------------------


def test_a_typed_code_checks_in_with_dashes_spaces_and_lower_case(world, session):
    code = checkin.check_in_code_current(actor=world.mentor_of_cohort, session=session)
    typed = f" {code.code[:4].lower()} - {code.code[4:]} "
    result = checkin.attendance_check_in_by_code(actor=world.learner, code=typed)
    assert result.session == session
    assert result.created


def test_a_typed_code_from_hours_ago_still_counts(world):
    session = _session(world.cohort, starts_in=dt.timedelta(hours=-3))
    at = timezone.now() - dt.timedelta(hours=2, minutes=30)
    code = checkin.checkin_short_code(session, checkin.window_at(at))
    assert checkin.attendance_check_in_by_code(actor=world.learner, code=code).created


def test_a_wrong_typed_code_is_a_field_error(world, session):
    code = checkin.check_in_code_current(actor=world.mentor_of_cohort, session=session)
    last = checkin.ALPHABET[(checkin.ALPHABET.index(code.code[-1]) + 1) % 32]
    with pytest.raises(ValidationError) as exc:
        checkin.attendance_check_in_by_code(
            actor=world.learner, code=code.code[:-1] + last
        )
    assert exc.value.message_dict == {"code": ["That code is not valid."]}


def test_a_malformed_typed_code_says_what_to_type(world, session):
    with pytest.raises(ValidationError, match="8 letters and digits"):
        checkin.attendance_check_in_by_code(actor=world.learner, code="12")


def test_a_typed_code_of_another_cohort_is_refused(world, session):
    other = _session(world.other_cohort)
    code = checkin.checkin_short_code(other, checkin.window_at(timezone.now()))
    with pytest.raises(ValidationError, match="not valid"):
        checkin.attendance_check_in_by_code(actor=world.learner, code=code)
    assert not Attendance.objects.exists()


def test_guessing_codes_is_rate_limited(world, session):
    for _ in range(10):
        with pytest.raises(ValidationError):
            checkin.attendance_check_in_by_code(actor=world.learner, code="00000000")
    # the eleventh try is refused before it is even checked, right code or not
    code = checkin.check_in_code_current(actor=world.mentor_of_cohort, session=session)
    with pytest.raises(RateLimited, match="attendance codes"):
        checkin.attendance_check_in_by_code(actor=world.learner, code=code.code)
    assert not Attendance.objects.exists()


def test_a_mentor_can_still_tick_after_a_learner_checked_in(world, session):
    from courses.services import sessions

    window, sig = _code(session)
    checkin.attendance_check_in(
        actor=world.learner, session=session, window=window, signature=sig
    )
    assert sessions.attendance_set(
        actor=world.mentor_of_cohort,
        session=session,
        learner_id=world.learner.pk,
        present=True,
    )
    assert Attendance.objects.filter(session=session).count() == 1


# --- Pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_qr_page_by_role(client, world, session, role):
    response = client_as(client, world.user(role)).get(
        reverse("courses-session-qr", args=[session.pk])
    )
    if role == "anonymous":
        assert response.status_code == 302
        return
    expected = 200 if role in SHOWS_CODE else 403 if role in SEES else 404
    assert response.status_code == expected
    if role in SHOWS_CODE:
        body = response.content.decode()
        assert body.count("<svg") == 2  # the QR code, beside the bell icon
        assert 0 < int(response["Refresh"]) <= 30
        assert "Checked in: 0 of 1" in body


def test_qr_page_counts_who_has_checked_in(client, world, session):
    window, sig = _code(session)
    checkin.attendance_check_in(
        actor=world.learner, session=session, window=window, signature=sig
    )
    body = (
        client_as(client, world.mentor_of_cohort)
        .get(reverse("courses-session-qr", args=[session.pk]))
        .content.decode()
    )
    assert "Checked in: 1 of 1" in body
    assert "Learner A" in body


@pytest.mark.parametrize("size", [1, 15])
def test_qr_page_queries_stay_constant(
    client, world, session, size, django_assert_max_num_queries
):
    for i in range(size):
        user = UserFactory(display_name=f"Learner {i}")
        cpd_services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        Attendance.objects.create(session=session, user=user, marked_by=user)
    client_as(client, world.mentor_of_cohort)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("courses-session-qr", args=[session.pk]))
    assert response.status_code == 200
    assert f"Checked in: {size} of {size + 1}" in response.content.decode()


def test_scanned_link_offers_one_tap_and_checks_in(client, world, session):
    window, sig = _code(session)
    url = reverse("courses-session-here", args=[session.pk])
    client_as(client, world.learner)
    page = client.get(url, {"w": window, "s": sig})
    assert page.status_code == 200
    assert "I am here" in page.content.decode()
    assert not Attendance.objects.exists()  # a GET changes nothing
    response = client.post(url, {"w": window, "s": sig}, follow=True)
    assert "You are checked in. Welcome!" in response.content.decode()
    again = client.post(url, {"w": window, "s": sig}, follow=True)
    assert "You were already checked in." in again.content.decode()
    assert Attendance.objects.filter(session=session).count() == 1


def test_scanned_link_signed_out_goes_to_sign_in_and_back(client, session):
    window, sig = _code(session)
    url = reverse("courses-session-here", args=[session.pk])
    response = client.get(url, {"w": window, "s": sig})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert f"s%3D{sig}" in response["Location"] or "s%3D" in response["Location"]


@pytest.mark.parametrize(
    "data",
    [{}, {"w": "x", "s": "y"}, {"w": "1", "s": "nope"}, {"w": "-5", "s": "a" * 100}],
)
def test_a_bad_scan_is_a_clear_400_never_a_500(client, world, session, data):
    client_as(client, world.learner)
    url = reverse("courses-session-here", args=[session.pk])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "That code is not valid." in response.content.decode()
    assert "data-outbox-error" in response.content.decode()
    # the link itself is checked on the tap (POST): a GET only needs its shape
    if data.get("s") != "nope":
        assert client.get(url, data).status_code == 400


def test_an_expired_scan_says_it_expired(client, world):
    session = _session(world.cohort, starts_in=dt.timedelta(hours=-3))
    window, sig = _code(session, at=timezone.now() - dt.timedelta(hours=2))
    client_as(client, world.learner)
    with override_settings(ATTENDANCE_CHECKIN_GRACE=dt.timedelta(hours=1)):
        response = client.post(
            reverse("courses-session-here", args=[session.pk]), {"w": window, "s": sig}
        )
    assert response.status_code == 400
    assert "That code has expired." in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_scan_page_by_role(client, world, session, role):
    window, sig = _code(session)
    client_as(client, world.user(role))
    response = client.post(
        reverse("courses-session-here", args=[session.pk]), {"w": window, "s": sig}
    )
    if role == "anonymous":
        assert response.status_code == 302
    elif role in CHECKS_IN:
        assert response.status_code == 302
        assert Attendance.objects.filter(user=world.learner).exists()
    elif role in SEES:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert Attendance.objects.count() == (1 if role in CHECKS_IN else 0)


def test_typed_code_page_checks_in(client, world, session):
    code = checkin.check_in_code_current(actor=world.mentor_of_cohort, session=session)
    client_as(client, world.learner)
    url = reverse("courses-session-checkin")
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": code.code_display}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "courses-session", args=[session.pk]
    )
    assert "You are checked in." in response.content.decode()


def test_typed_code_page_rerenders_with_the_error(client, world, session):
    client_as(client, world.learner)
    response = client.post(reverse("courses-session-checkin"), {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "That code is not valid." in body
    assert 'value="ZZZZ-ZZZZ"' in body


def test_typed_code_page_answers_429_when_guessing(client, world, session):
    client_as(client, world.learner)
    url = reverse("courses-session-checkin")
    statuses = [client.post(url, {"code": "00000000"}).status_code for _ in range(11)]
    assert statuses == [400] * 10 + [429]


# --- API ------------------------------------------------------------------------------


def test_api_check_in_with_a_scan_then_a_retry(api_client, world, session):
    window, sig = _code(session)
    client_as(api_client, world.learner)
    url = reverse("api-session-check-in")
    payload = {"session": session.pk, "w": window, "s": sig}
    first = api_client.post(url, payload, format="json")
    again = api_client.post(url, payload, format="json")
    assert first.status_code == 201
    assert first.json() == {
        "session": session.pk,
        "session_title": "PPH drill",
        "present": True,
        "created": True,
    }
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert Attendance.objects.count() == 1


def test_api_check_in_with_a_typed_code(api_client, world, session):
    code = checkin.check_in_code_current(actor=world.mentor_of_cohort, session=session)
    client_as(api_client, world.learner)
    response = api_client.post(
        reverse("api-session-check-in"), {"code": code.code}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["session"] == session.pk


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "code"),
        ({"w": 1, "s": "x"}, "session"),
        ({"session": 1, "w": "soon"}, "w"),
        ({"code": "nope"}, "code"),
        ({"code": "ZZZZZZZZ"}, "code"),
    ],
)
def test_api_check_in_field_errors(api_client, world, session, payload, field):
    client_as(api_client, world.learner)
    response = api_client.post(reverse("api-session-check-in"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_api_check_in_with_a_bad_signature_is_a_400_on_code(api_client, world, session):
    window, _sig = _code(session)
    client_as(api_client, world.learner)
    response = api_client.post(
        reverse("api-session-check-in"),
        {"session": session.pk, "w": window, "s": "forged"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"code": ["That code is not valid."]}


@pytest.mark.parametrize("role", ROLES)
def test_api_check_in_by_role(api_client, world, session, role):
    window, sig = _code(session)
    client_as(api_client, world.user(role))
    response = api_client.post(
        reverse("api-session-check-in"),
        {"session": session.pk, "w": window, "s": sig},
        format="json",
    )
    expected = {
        "anonymous": 403,
        "learner": 201,
        "mentor_of_cohort": 403,
        "org_admin": 403,
    }.get(role, 404)
    assert response.status_code in ((401, 403) if role == "anonymous" else (expected,))
    assert Attendance.objects.count() == (1 if role in CHECKS_IN else 0)


@pytest.mark.parametrize("role", ROLES)
def test_api_check_in_code_by_role(api_client, world, session, role):
    client_as(api_client, world.user(role))
    response = api_client.get(reverse("api-session-check-in-code", args=[session.pk]))
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    expected = 200 if role in SHOWS_CODE else 403 if role in SEES else 404
    assert response.status_code == expected
    if expected == 200:
        data = response.json()
        assert data["url"].endswith(f"?w={data['window']}&s={data['signature']}")
        assert data["checked_in"] == 0
        assert data["learners"] == 1
        assert len(data["code"]) == checkin.CODE_LENGTH


def test_api_check_in_code_of_a_closed_register_is_a_400(api_client, world):
    later = _session(world.cohort, starts_in=dt.timedelta(hours=3))
    client_as(api_client, world.mentor_of_cohort)
    response = api_client.get(reverse("api-session-check-in-code", args=[later.pk]))
    assert response.status_code == 400
    assert "session" in response.json()


@pytest.mark.parametrize("size", [1, 15])
def test_api_check_in_code_queries_stay_constant(
    api_client, world, session, size, django_assert_max_num_queries
):
    for i in range(size):
        user = UserFactory(display_name=f"Learner {i}")
        cpd_services.membership_add(cohort=world.cohort, user=user, role=Role.LEARNER)
        Attendance.objects.create(session=session, user=user, marked_by=user)
    client_as(api_client, world.mentor_of_cohort)
    with django_assert_max_num_queries(8):
        response = api_client.get(
            reverse("api-session-check-in-code", args=[session.pk])
        )
    assert response.json()["checked_in"] == size


@pytest.mark.parametrize("size", [1, 15])
def test_typed_check_in_queries_stay_constant_as_sessions_grow(
    api_client, world, size, django_assert_max_num_queries
):
    sessions_ = [_session(world.cohort, title=f"S{i}") for i in range(size)]
    code = checkin.check_in_code_current(
        actor=world.mentor_of_cohort, session=sessions_[-1]
    )
    client_as(api_client, world.learner)
    with django_assert_max_num_queries(20):
        response = api_client.post(
            reverse("api-session-check-in"), {"code": code.code}, format="json"
        )
    assert response.status_code == 201


def test_forged_scans_are_rate_limited_too(world, session):
    window, sig = _code(session)
    for _ in range(10):
        with pytest.raises(ValidationError):
            checkin.attendance_check_in(
                actor=world.learner, session=session, window=window, signature="x"
            )
    with pytest.raises(RateLimited):
        checkin.attendance_check_in(
            actor=world.learner, session=session, window=window, signature=sig
        )
    assert not Attendance.objects.exists()


def test_api_answers_429_with_retry_after_when_guessing(api_client, world, session):
    client_as(api_client, world.learner)
    url = reverse("api-session-check-in")
    answers = [
        api_client.post(url, {"code": "00000000"}, format="json") for _ in range(11)
    ]
    assert [a.status_code for a in answers] == [400] * 10 + [429]
    assert int(answers[-1]["Retry-After"]) > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(RATE_LIMITS={"attendance_code": (100, 600)})
def test_fifty_simultaneous_scans_count_the_learner_once(world, session):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    window, sig = _code(session)

    def scan(_n: int) -> bool:
        try:
            return checkin.attendance_check_in(
                actor=world.learner, session=session, window=window, signature=sig
            ).created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(scan, range(50)))
    assert results.count(True) == 1
    assert Attendance.objects.filter(session=session, user=world.learner).count() == 1

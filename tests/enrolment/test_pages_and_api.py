"""Enrolment pages and API by role; bounded queries; errors never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpd.enrolment import services
from cpd.enrolment.models import EnrolmentImport, ImportStatus
from cpd.models import User
from tests.conftest import COHORT_ADMIN_API, ROLES, client_as

pytestmark = pytest.mark.django_db

DATA = b"name,phone,email\nAmina,+254712345678,\nBaraka,+254712345679,b@example.org\n"
ALLOWED = {"org_admin"}


def upload(name="list.csv", data=DATA):
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def enrolment(world):
    return services.enrolment_check(
        actor=world.org_admin, cohort=world.cohort, filename="list.csv", data=DATA
    )


@pytest.mark.parametrize("role", ROLES)
def test_upload_page_by_role(client, world, role):
    client_as(client, world.user(role))
    url = reverse("enrolment-upload", args=[world.cohort.pk])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        return
    expected = (
        200
        if role in ALLOWED
        else (404 if role in ("other_mentor", "other_org_admin", "outsider") else 403)
    )
    assert response.status_code == expected
    before = EnrolmentImport.objects.count()
    response = client.post(url, {"file": upload()})
    if role in ALLOWED:
        enrolment = EnrolmentImport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("enrolment-detail", args=[enrolment.pk])
    else:
        assert response.status_code in (403, 404)
        assert EnrolmentImport.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_preview_confirm_and_report_by_role(client, world, enrolment, role):
    client_as(client, world.user(role))
    detail = reverse("enrolment-detail", args=[enrolment.pk])
    confirm = reverse("enrolment-confirm", args=[enrolment.pk])
    report = reverse("enrolment-report-csv", args=[enrolment.pk])
    responses = [client.get(detail), client.post(confirm), client.get(report)]
    enrolment.refresh_from_db()
    if role == "anonymous":
        assert [r.status_code for r in responses] == [302, 302, 302]
    elif role in ALLOWED:
        assert responses[0].status_code == 200
        assert b"Amina" in responses[0].content
        assert responses[1].status_code == 302
        assert enrolment.status != ImportStatus.READY
        assert responses[2].status_code == 200
    else:
        assert [r.status_code for r in responses] == [404, 404, 404]
        assert enrolment.status == ImportStatus.READY


def test_a_bad_file_re_renders_the_form_with_its_error(client, world):
    client_as(client, world.org_admin)
    url = reverse("enrolment-upload", args=[world.cohort.pk])
    response = client.post(url, {"file": upload("people.xls", b"\xd0\xcf\x11\xe0....")})
    assert response.status_code == 400
    assert "Save it as XLSX or CSV" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    big = b"name,phone\n" + b"Amina,+254712345678\n" * 2_700_000  # 54 MB
    response = client.post(url, {"file": upload("big.csv", big)})
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()
    assert not EnrolmentImport.objects.exists()


def test_the_whole_flow_on_pages_with_the_report_csv(
    client, world, django_capture_on_commit_callbacks
):
    client_as(client, world.org_admin)
    response = client.post(
        reverse("enrolment-upload", args=[world.cohort.pk]),
        {"file": upload(data=DATA + b"=HYPERLINK(1),+254712345670,\n")},
        follow=True,
    )
    page = response.content.decode()
    assert "New person" in page
    assert "Confirm and enrol" in page
    enrolment = EnrolmentImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enrolment-confirm", args=[enrolment.pk]))
    response = client.get(reverse("enrolment-detail", args=[enrolment.pk]))
    assert "What happened" in response.content.decode()
    assert (
        User.objects.filter(phone__in=["+254712345678", "+254712345679"]).count() == 2
    )
    report = client.get(reverse("enrolment-report-csv", args=[enrolment.pk]))
    text = report.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 3  # a header and every row, none lost
    assert "'=HYPERLINK(1)" in text  # a formula is written as text


def test_the_preview_lists_rows_in_bounded_queries(
    client, world, django_assert_max_num_queries
):
    client_as(client, world.org_admin)
    for size in (5, 150):
        rows = "".join(f"P{i},+2547123{i:05d},\n" for i in range(size))
        enrolment = services.enrolment_check(
            actor=world.org_admin,
            cohort=world.cohort,
            filename="x.csv",
            data=("name,phone,email\n" + rows).encode(),
        )
        with django_assert_max_num_queries(12):
            response = client.get(reverse("enrolment-detail", args=[enrolment.pk]))
        assert response.status_code == 200


def test_checking_a_file_reads_in_a_constant_number_of_queries(world):
    """Reads do not grow with the file; only the rows' bulk insert is batched."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reads = []
    for size in (5, 400):
        rows = "".join(f"P{i},+2547123{i:05d},p{i}@example.org\n" for i in range(size))
        actor = User.objects.get(pk=world.org_admin.pk)  # roles not cached yet
        with CaptureQueriesContext(connection) as queries:
            services.enrolment_check(
                actor=actor,
                cohort=world.cohort,
                filename="x.csv",
                data=("name,phone,email\n" + rows).encode(),
            )
        reads.append(
            sum(
                1
                for q in queries
                if not q["sql"].startswith('INSERT INTO "enrolment_enrolmentrow"')
            )
        )
    assert reads[0] == reads[1] <= 10


# --- API ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_api_upload_and_read_by_role(api_client, world, role):
    client_as(api_client, world.user(role))
    response = api_client.post(
        reverse("api-enrolment-upload", args=[world.cohort.pk]),
        {"file": upload()},
        format="multipart",
    )
    if role == "anonymous":
        assert response.status_code in (401, 403)
    elif role in ALLOWED:
        assert response.status_code == 201, response.content
        assert response.json()["verdicts"] == {"new": 2}
        pk = response.json()["id"]
        rows = api_client.get(reverse("api-enrolment-rows", args=[pk]))
        assert [r["number"] for r in rows.json()["results"]] == [2, 3]
        listed = api_client.get(reverse("api-enrolment-list", args=[world.cohort.pk]))
        assert [e["id"] for e in listed.json()["results"]] == [pk]
    else:
        assert response.status_code in (403, 404)
        assert not EnrolmentImport.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_confirm_by_role(api_client, world, enrolment, role):
    client_as(api_client, world.user(role))
    response = api_client.post(reverse("api-enrolment-confirm", args=[enrolment.pk]))
    detail = api_client.get(reverse("api-enrolment-detail", args=[enrolment.pk]))
    enrolment.refresh_from_db()
    if role in ALLOWED:
        assert response.status_code == 202
        assert detail.status_code == 200
        assert enrolment.status != ImportStatus.READY
    else:
        assert response.status_code in (401, 403, 404)
        assert detail.status_code in (401, 403, 404)
        assert enrolment.status == ImportStatus.READY


def test_api_errors_are_4xx_with_field_errors(api_client, world, enrolment):
    client_as(api_client, world.org_admin)
    url = reverse("api-enrolment-upload", args=[world.cohort.pk])
    response = api_client.post(url, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()
    response = api_client.post(
        url, {"file": upload(data=b"foo,bar\n1,2\n")}, format="multipart"
    )
    assert response.status_code == 400
    assert "name column" in response.json()["file"][0]
    confirm = reverse("api-enrolment-confirm", args=[enrolment.pk])
    assert api_client.post(confirm).status_code == 202
    again = api_client.post(confirm)
    assert again.status_code == 400
    assert "already confirmed" in str(again.json())


def test_an_enrolled_nurse_claims_her_account_from_the_sms_link(
    client, world, django_capture_on_commit_callbacks
):
    """Spreadsheet -> account and SMS invitation -> password chosen -> in the cohort."""
    from cpd.models import Invitation
    from cpd.notifications.models import Delivery

    world.cohort.phone_region = "KE"
    world.cohort.save()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.enrolment_check(
            actor=world.org_admin,
            cohort=world.cohort,
            filename="x.csv",
            data=b"name,phone\nWanjiru,0712000111\n",
        )
        services.enrolment_confirm(actor=world.org_admin, enrolment=enrolment)
    wanjiru = User.objects.get(phone="+254712000111")
    invitation = Invitation.objects.get(user=wanjiru)
    assert invitation.sent_at is not None
    assert Delivery.objects.filter(
        notification__user=wanjiru, channel="sms"
    ).exists()  # no email address: the invitation went by SMS
    link = reverse("invitation-open", args=[invitation.token])
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == reverse("invitation-claim", args=[invitation.token])
    response = client.post(
        response["Location"],
        {"new_password1": "Kisumu-ward-3-2026", "new_password2": "Kisumu-ward-3-2026"},
    )
    assert response.status_code == 302
    wanjiru.refresh_from_db()
    assert wanjiru.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.accepted_by == wanjiru
    assert (
        client.get(reverse("cohort-detail", args=[world.cohort.pk])).status_code == 200
    )


@pytest.mark.parametrize("role", ROLES)
def test_api_list_by_role(api_client, world, enrolment, role):
    """Only administrators list a cohort's files; its members are refused (403).

    The list answered 200 and an empty page to the cohort's learner and mentor,
    where the HTML page and the file's own routes refuse them (route matrix).
    """
    client_as(api_client, world.user(role))
    response = api_client.get(reverse("api-enrolment-list", args=[world.cohort.pk]))
    assert response.status_code == COHORT_ADMIN_API[role]
    if response.status_code == 200:
        assert [e["id"] for e in response.json()["results"]] == [enrolment.pk]

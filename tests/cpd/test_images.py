"""Safe uploads: metadata stripped, types sniffed, sizes limited, access scoped."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from cpd import policies, services
from cpd.images import image_process
from cpd.models import Image
from tests.conftest import ROLES, client_as
from tests.factories.cpd import UserFactory
from tests.factories.images import PHP, SVG, disguised, jpeg_with_gps, png


def test_gps_and_camera_exif_are_stripped():
    # given a JPEG that carries a GPS position
    upload = jpeg_with_gps()
    with PILImage.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get_ifd(0x8825)
    upload.seek(0)
    # when it is processed
    processed = image_process(upload)
    # then the stored bytes have no EXIF at all
    for rendition in (processed.full, processed.small):
        with PILImage.open(io.BytesIO(rendition.read())) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info
    assert max(processed.width, processed.height) <= 1600


def test_small_rendition_is_phone_sized():
    processed = image_process(jpeg_with_gps(size=(3000, 2000)))
    with PILImage.open(io.BytesIO(processed.small.read())) as small:
        assert max(small.size) == 480


@pytest.mark.parametrize(
    "upload", [disguised(PHP), disguised(SVG, "scan.jpg"), disguised(b"")]
)
def test_non_images_named_jpg_are_refused(upload):
    with pytest.raises(ValidationError, match="not an image"):
        image_process(upload)


def test_oversized_upload_is_refused_with_the_limit():
    nine_mb = disguised(b"\xff\xd8" + b"0" * (9 * 1024 * 1024), "huge.jpg")
    with pytest.raises(ValidationError, match=r"too large \(9.0 MB\).*limit is 8 MB"):
        image_process(nine_mb)


def test_upload_requires_the_no_identifiers_confirmation(world):
    with pytest.raises(ValidationError) as exc:
        services.image_upload(
            actor=world.learner,
            cohort=world.cohort,
            file=png(),
            no_identifiers_confirmed=False,
        )
    assert "no_identifiers_confirmed" in exc.value.message_dict


def test_outsider_cannot_upload_to_a_cohort(world):
    with pytest.raises(PermissionDenied):
        services.image_upload(
            actor=world.outsider,
            cohort=world.cohort,
            file=png(),
            no_identifiers_confirmed=True,
        )


@pytest.fixture
def cohort_image(world):
    return services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=jpeg_with_gps(),
        no_identifiers_confirmed=True,
    )


SEES = {"learner", "mentor_of_cohort", "org_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_image_file_by_role(client, world, cohort_image, role):
    url = reverse("image-file", args=[cohort_image.pk, "small"])
    response = client_as(client, world.user(role)).get(url)
    if role == "anonymous":
        assert response.status_code == 302
    elif role in SEES:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("learner", False),
        ("mentor_of_cohort", True),
        ("org_admin", True),
        ("other_mentor", False),
    ],
)
def test_hide_image_by_role(world, cohort_image, role, allowed):
    if allowed:
        services.image_hide(actor=world.user(role), image=cohort_image, reason="face")
        assert cohort_image.is_hidden
    else:
        with pytest.raises(PermissionDenied):
            services.image_hide(actor=world.user(role), image=cohort_image, reason="x")


def test_hidden_image_is_gone_for_peers_but_not_for_moderators(
    client, world, cohort_image
):
    services.image_hide(
        actor=world.mentor_of_cohort, image=cohort_image, reason="shows a face"
    )
    url = reverse("image-file", args=[cohort_image.pk, "full"])
    other_learner = world.other_learner
    services.membership_add(cohort=world.cohort, user=other_learner, role="learner")
    assert client_as(client, other_learner).get(url).status_code == 404
    assert client_as(client, world.mentor_of_cohort).get(url).status_code == 200


def test_api_upload_returns_urls_and_field_errors(api_client, world):
    api_client.force_authenticate(world.learner)
    ok = api_client.post(
        reverse("api-image-upload"),
        {"file": png(), "cohort": world.cohort.pk, "no_identifiers_confirmed": True},
        format="multipart",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["small_url"].endswith("/small/")
    bad = api_client.post(
        reverse("api-image-upload"),
        {
            "file": disguised(PHP),
            "cohort": world.cohort.pk,
            "no_identifiers_confirmed": True,
        },
        format="multipart",
    )
    assert bad.status_code == 400
    assert "not an image" in str(bad.json())
    foreign = api_client.post(
        reverse("api-image-upload"),
        {
            "file": png(),
            "cohort": world.other_cohort.pk,
            "no_identifiers_confirmed": True,
        },
        format="multipart",
    )
    assert foreign.status_code == 404


# --- Private images -------------------------------------------------------------


@pytest.fixture
def private_image(world):
    return services.image_upload(
        actor=world.learner,
        cohort=world.cohort,
        file=png(),
        no_identifiers_confirmed=True,
        private=True,
    )


@pytest.fixture
def no_private_rules(monkeypatch):
    """Only cpd's own rules: other apps' registered grants are set aside."""
    monkeypatch.setattr(policies, "_private_image_rules", [])


@pytest.mark.parametrize("role", ROLES)
def test_private_image_is_for_its_owner_only_without_other_rules(
    client, world, private_image, no_private_rules, role
):
    # given a private image in cohort A uploaded by the learner
    url = reverse("image-file", args=[private_image.pk, "small"])
    # when each role asks for it
    response = client_as(client, world.user(role)).get(url)
    # then only the owner gets it; the cohort's mentor and admin do not
    expected = {"learner": 200, "anonymous": 302}.get(role, 404)
    assert response.status_code == expected
    visible = Image.objects.filter(policies.images_visible_to(world.user(role)))
    assert (private_image in visible) == (role == "learner")
    assert policies.can_view_image(world.user(role), private_image) == (
        role == "learner"
    )


def test_superuser_sees_a_private_image(world, private_image, no_private_rules):
    admin = UserFactory(is_superuser=True)
    assert policies.can_view_image(admin, private_image)
    assert Image.objects.filter(policies.images_visible_to(admin)).exists()


def test_a_registered_rule_grants_a_private_image_in_both_forms(
    world, private_image, no_private_rules
):
    # given a rule that lets the cohort's mentor see this one image
    mentor = world.mentor_of_cohort

    def q_for_user(user):
        return Q(pk=private_image.pk) if user.pk == mentor.pk else Q(pk__in=[])

    def can_view(user, image):
        return user.pk == mentor.pk and image.pk == private_image.pk

    policies.register_private_image_rule(q_for_user, can_view)
    policies.register_private_image_rule(q_for_user, can_view)
    # then the mentor sees it, once registered however often; others still do not
    assert len(policies._private_image_rules) == 1
    assert policies.can_view_image(mentor, private_image)
    assert Image.objects.filter(policies.images_visible_to(mentor)).count() == 1
    assert not policies.can_view_image(world.org_admin, private_image)
    # and a hidden private image is withdrawn from the granted readers
    private_image.hidden_at = timezone.now()
    private_image.save(update_fields=["hidden_at"])
    assert not policies.can_view_image(mentor, private_image)
    assert not Image.objects.filter(policies.images_visible_to(mentor)).exists()
    assert policies.can_view_image(world.learner, private_image)


def test_cohort_moderators_cannot_hide_a_private_image(world, private_image):
    with pytest.raises(PermissionDenied):
        services.image_hide(
            actor=world.mentor_of_cohort, image=private_image, reason="face"
        )


def test_image_files_delete_removes_both_renditions(world, private_image):
    names = [private_image.full.name, private_image.small.name]
    services.image_files_delete(image=private_image)
    assert not any(default_storage.exists(n) for n in names)


def test_upload_leaves_no_files_when_the_row_cannot_be_saved(world, monkeypatch):
    # given the database refuses the image row
    written: list[str] = []
    real_save = default_storage.save

    def recording_save(name, content, max_length=None):
        stored = real_save(name, content, max_length=max_length)
        written.append(stored)
        return stored

    def refuse(self, *args, **kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(default_storage, "save", recording_save)
    monkeypatch.setattr(Image, "save", refuse)
    # when an upload is attempted
    with pytest.raises(RuntimeError, match="database unavailable"):
        services.image_upload(
            actor=world.learner,
            cohort=world.cohort,
            file=png(),
            no_identifiers_confirmed=True,
        )
    # then both written renditions are gone again
    assert len(written) == 2
    assert not any(default_storage.exists(name) for name in written)

"""Lists typed in one field split on the Latin comma and on the Arabic one."""

from forums.forms import ThreadForm
from mentoring.forms import _split


def test_tags_split_on_arabic_and_latin_commas():
    form = ThreadForm(
        data={
            "title": "T",
            "body": "b",
            "other_tags": "نزف ما بعد الولادة، فقر الدم, pph",
            "no_identifiers_confirmed": "on",
            "idempotency_key": "k",
        }
    )
    assert form.is_valid(), form.errors
    assert form.all_tags() == ["نزف ما بعد الولادة", "فقر الدم", "pph"]


def test_mentor_lists_split_on_arabic_commas():
    assert _split("أ، ب،,ج") == sorted(["أ", "ب", "ج"])

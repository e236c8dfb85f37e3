"""Spreadsheets as ministries send them: encodings, separators, XLSX, bad files."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from cpd.enrolment import reading
from cpd.enrolment.normalise import person, phone_e164

ROWS = [
    ["Nom", "Téléphone", "Courriel", "Cadre", "District"],
    ["Aïcha Diallo", "0712345678", "aicha@example.org", "Sage-femme", "Kisumu"],
    ["João Mbeki", "+254722000111", "", "enfermeira", "Siaya"],
]


def _csv(rows, sep=","):
    return "\r\n".join(sep.join(r) for r in rows) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "data", "expected"),
    [
        ("utf-8", _csv(ROWS).encode("utf-8"), "utf-8"),
        ("utf-8 with BOM", b"\xef\xbb\xbf" + _csv(ROWS).encode("utf-8"), "utf-8-sig"),
        ("utf-16 (Excel Unicode text)", _csv(ROWS, "\t").encode("utf-16"), "utf-16"),
        ("utf-16-le without BOM", _csv(ROWS).encode("utf-16-le"), "utf-16"),
        ("Windows-1252 (Excel CSV)", _csv(ROWS, ";").encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_spreadsheet_programs_write_are_read(encoding, data, expected):
    sheet = reading.read(data, "people.csv")
    assert sheet.encoding == expected, encoding
    assert sheet.headers[0] == "Nom"
    assert [values[0] for _n, values in sheet.rows] == ["Aïcha Diallo", "João Mbeki"]
    assert sheet.columns == {
        "name": 0,
        "phone": 1,
        "email": 2,
        "cadre": 3,
        "district": 4,
    }


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_the_separator_is_sniffed(sep):
    sheet = reading.read(_csv(ROWS, sep).encode(), "people.csv")
    assert sheet.delimiter == sep
    assert sheet.rows[1][1][1] == "+254722000111"


def test_latin1_bytes_undefined_in_cp1252_still_read():
    data = "name,phone\nZoë\x81,+254712345678\n".encode("latin-1")
    sheet = reading.read(data, "x.csv")
    assert sheet.encoding == "latin-1"
    assert sheet.rows[0][1][0].startswith("Zoë")


def test_rows_keep_the_spreadsheets_numbers_across_blank_lines():
    data = b"name,phone\n\nAmina,+254712345678\n,,\nBaraka,+254712345679\n"
    sheet = reading.read(data, "x.csv")
    assert [n for n, _v in sheet.rows] == [3, 5]
    assert sheet.blank_rows == 2


def test_quoted_cells_with_separators_and_newlines():
    data = b'name,phone,facility\n"Otieno, Amina",+254712345678,"Ward 3\nKisumu"\n'
    sheet = reading.read(data, "x.csv")
    assert sheet.rows[0][1][0] == "Otieno, Amina"
    assert sheet.rows[0][1][2] == "Ward 3 Kisumu"


def _xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_a_phone_typed_as_a_number():
    data = _xlsx(
        [["Name", "Mobile"], ["Amina", 254712345678], [None, None], ["B", "x"]]
    )
    sheet = reading.read(data, "people.xlsx")
    assert sheet.encoding == "xlsx"
    assert sheet.rows[0] == (2, ["Amina", "254712345678"])
    assert [n for n, _v in sheet.rows] == [2, 4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\xd0\xcf\x11\xe0rest", ".xls"),
        (b"PK\x03\x04broken zip", "XLSX"),
        (b"%PDF-1.4 ...", "not a spreadsheet"),
        (b"\x00\x01\x02\x03binary", "not a spreadsheet"),
        (b"surname,address\nA,B\n", "name column"),
        (b"name,phone\n", "no people"),
        (b"name,phone\n,,\n", "no people"),
        (
            b",".join([b"name", b"phone", *[b"c%d" % i for i in range(10_000)]]),
            "columns",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as error:
        reading.read(data, "f.csv")
    assert message in " ".join(error.value.message_dict["file"])


def test_too_many_rows_and_too_large_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    data = ("name,phone\n" + "a,1\n" * 4).encode()
    with pytest.raises(ValidationError, match="more than 3 people"):
        reading.read(data, "f.csv")
    monkeypatch.setattr(reading, "MAX_BYTES", 10)
    with pytest.raises(ValidationError, match="larger than"):
        reading.read(data, "f.csv")


def test_unknown_columns_are_listed_not_dropped_silently():
    sheet = reading.read(b"name,phone,shoe size\nA,+254712345678,42\n", "f.csv")
    assert sheet.ignored == ["shoe size"]
    assert sheet.cells(sheet.rows[0][1]) == {
        "name": "A",
        "phone": "+254712345678",
        "shoe size": "42",
    }


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("0712345678", "KE", "+254712345678"),
        ("0712 345 678", "KE", "+254712345678"),
        ("254712345678", "KE", "+254712345678"),
        ("00254712345678", "KE", "+254712345678"),
        ("+255 754 123 456", "KE", "+255754123456"),
        ("0612345678", "FR", "+33612345678"),
        ("0712345678", "", None),
        ("12", "KE", None),
    ],
)
def test_phone_numbers_to_e164_with_the_cohort_country(raw, region, e164):
    assert phone_e164(raw, region) == e164


def test_a_row_is_understood_in_french_with_every_problem_named():
    sheet = reading.read(
        _csv(
            [
                ["Nom", "Téléphone", "Courriel", "Rôle", "Cadre", "Langue"],
                ["", "12", "pas-un-email", "chef", "pilote", "klingon"],
            ]
        ).encode(),
        "f.csv",
    )
    p = person(sheet, sheet.rows[0][1], region="KE")
    text = " ".join(p.errors)
    for part in (
        "name is missing",
        "not an email",
        "not a phone number",
        "role",
        "cadre",
        "language",
    ):
        assert part in text
    sheet = reading.read(_csv(ROWS).encode(), "f.csv")
    p = person(sheet, sheet.rows[0][1], region="KE")
    assert not p.errors
    assert (p.phone, p.cadre, p.email) == (
        "+254712345678",
        "midwife",
        "aicha@example.org",
    )

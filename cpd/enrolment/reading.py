"""Read an enrolment spreadsheet (XLSX, or CSV as spreadsheet programs save it).

XLSX goes through tablib (openpyxl underneath). A CSV's bytes are decoded
first, in the order a spreadsheet program would have written them: a byte-order
mark (UTF-8 or UTF-16), then UTF-16 without a mark (every other byte NUL), then
UTF-8, then Windows-1252, Excel's "CSV" on Windows, then Latin-1, which reads
any byte. The separator is sniffed among comma, semicolon (Excel where the
decimal mark is a comma) and tab. CSV rows are read with the standard library's
``csv`` reader rather than tablib's CSV wrapper around it, because that wrapper
drops empty lines, which would renumber every row after them: the preview and
the report must name the rows as the administrator's spreadsheet numbers them.

Everything wrong with a file is a ``ValidationError`` on ``file`` with a
sentence the administrator can act on; nothing here raises anything else.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_CELL = 300

FIELDS = (
    "name",
    "email",
    "phone",
    "role",
    "cadre",
    "facility",
    "district",
    "language",
    "mentor",
)

# Headers as ministries write them, in the platform's languages; compared
# without case, accents, spaces, dashes or underscores.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "names",
        "display name",
        "nom",
        "nom complet",
        "nome",
        "nome completo",
        "jina",
        "majina",
        "jina kamili",
        "الاسم",
        "participant",
        "learner",
    ),
    "email": (
        "email",
        "e-mail",
        "email address",
        "mail",
        "courriel",
        "adresse email",
        "adresse e-mail",
        "correio eletronico",
        "barua pepe",
        "البريد الإلكتروني",
    ),
    "phone": (
        "phone",
        "phone number",
        "mobile",
        "mobile number",
        "cell",
        "telephone",
        "tel",
        "msisdn",
        "numero",
        "numero de telephone",
        "portable",
        "telefone",
        "telemovel",
        "celular",
        "simu",
        "nambari ya simu",
        "الهاتف",
        "رقم الهاتف",
    ),
    "role": ("role", "rôle", "papel", "funcao", "jukumu", "الدور"),
    "cadre": (
        "cadre",
        "categorie professionnelle",
        "categoria profissional",
        "الفئة المهنية",
        "profession",
        "occupation",
        "category",
        "categorie",
        "categoria",
        "profissao",
        "kada",
        "taaluma",
        "المهنة",
    ),
    "facility": (
        "facility",
        "health facility",
        "clinic",
        "hospital",
        "structure",
        "formation sanitaire",
        "etablissement",
        "unidade",
        "unidade sanitaria",
        "kituo",
        "kituo cha afya",
        "المنشأة الصحية",
        "المنشأة",
    ),
    "district": (
        "district",
        "county",
        "region",
        "zone",
        "province",
        "distrito",
        "wilaya",
        "kaunti",
        "المنطقة",
    ),
    "language": ("language", "langue", "lingua", "idioma", "lugha", "اللغة"),
    "mentor": (
        "mentor",
        "mentor email",
        "mentor phone",
        "tuteur",
        "mentore",
        "mlezi",
        "mshauri",
        "المرشد",
    ),
}


def fold(text: str) -> str:
    """Lower case without accents, spaces, dashes or underscores."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in kept if c not in " -_.'’:")


_HEADERS = {
    fold(alias): key for key, aliases in HEADER_ALIASES.items() for alias in aliases
}


@dataclass
class Sheet:
    """What was read: the columns understood and every non-blank row by number."""

    encoding: str
    delimiter: str
    headers: list[str]
    columns: dict[str, int]  # field -> column index
    ignored: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    blank_rows: int = 0

    def cells(self, values: list[str]) -> dict[str, str]:
        """A row as header -> text, for the record of what was read."""
        return {
            (self.headers[i] or f"#{i + 1}"): v
            for i, v in enumerate(values)
            if v and i < len(self.headers)
        }

    def value(self, values: list[str], key: str) -> str:
        index = self.columns.get(key)
        if index is None or index >= len(values):
            return ""
        return values[index]


def _bad(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        # A phone number typed into a number cell: 254712345678.0
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    # NUL is refused by PostgreSQL in text and JSON; nothing meaningful is lost.
    return " ".join(str(value).replace("\x00", "").split())[:MAX_CELL]


def decode(data: bytes) -> tuple[str, str]:
    """Bytes of a CSV to text and the encoding it was read in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode(
            "utf-8", errors="replace"
        ), "utf-8-sig"
    for bom, name in (
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), "utf-16"
    sample = data[:2000]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        # UTF-16 without a mark: ASCII text with every other byte NUL.
        name = (
            "utf-16-le"
            if sample[1::2].count(0) > sample[0::2].count(0)
            else "utf-16-be"
        )
        return data.decode(name, errors="replace"), "utf-16"
    if b"\x00" in data:
        raise _bad(
            _(
                "This file is not a spreadsheet. Save it as CSV or XLSX and upload it "
                "again."
            )
        )
    for name in ("utf-8", "cp1252"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    head = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters=",;\t").delimiter
    except csv.Error:
        first = text.splitlines()[0] if text.strip() else ""
        counts = {d: first.count(d) for d in ",;\t"}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _csv_rows(data: bytes) -> tuple[list[list[str]], str, str]:
    text, encoding = decode(data)
    delimiter = _delimiter(text)
    try:
        rows = [
            [_text(cell) for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise _bad(
            _("This CSV file could not be read: %(error)s") % {"error": error}
        ) from error
    return rows, encoding, delimiter


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        sheet = tablib.Dataset().load(io.BytesIO(data), format="xlsx", headers=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise _bad(
            _(
                "This XLSX file could not be opened. Save it again from your "
                "spreadsheet program."
            )
        ) from error
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds
        raise _bad(
            _(
                "This XLSX file could not be opened. Save it again from your "
                "spreadsheet program."
            )
        ) from error
    return [[_text(cell) for cell in row] for row in sheet]


def size_error(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused, or None (checked before reading it)."""
    if size <= MAX_BYTES:
        return None
    return _("The file is larger than %(size)s MB. Split it into smaller files.") % {
        "size": MAX_BYTES // (1024 * 1024)
    }


def read(data: bytes, filename: str = "") -> Sheet:
    """A spreadsheet's bytes as a ``Sheet``, or a clear ``ValidationError``."""
    if not data or not data.strip():
        raise _bad(_("The file is empty."))
    if too_large := size_error(len(data)):
        raise _bad(too_large)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _bad(_("Old Excel files (.xls) cannot be read. Save it as XLSX or CSV."))
    if data.startswith(b"PK\x03\x04"):
        rows, encoding, delimiter = _xlsx_rows(data), "xlsx", ""
    elif data.startswith(b"%PDF") or filename.lower().endswith(
        (".pdf", ".doc", ".docx")
    ):
        raise _bad(
            _(
                "This file is not a spreadsheet. Save it as CSV or XLSX and upload it "
                "again."
            )
        )
    else:
        rows, encoding, delimiter = _csv_rows(data)
    return _sheet(rows, encoding, delimiter)


def _sheet(rows: list[list[str]], encoding: str, delimiter: str) -> Sheet:
    # The header is the first row with anything in it (a title row above it
    # would not be understood, and says so below).
    start = next((i for i, row in enumerate(rows) if any(row)), None)
    if start is None:
        raise _bad(_("The file is empty."))
    headers = rows[start]
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(headers) > MAX_COLUMNS:
        raise _bad(
            _(
                "The file has more than %(count)s columns; is the first row the "
                "column names?"
            )
            % {"count": MAX_COLUMNS}
        )
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        key = _HEADERS.get(fold(header))
        if key is None or key in columns:
            if header:
                ignored.append(header)
            continue
        columns[key] = index
    if "name" not in columns or not ({"email", "phone"} & columns.keys()):
        raise _bad(
            _(
                "The first row must name the columns: a name column, and a phone or "
                "an email column (found: %(headers)s)."
            )
            % {"headers": ", ".join(h for h in headers if h) or "—"}
        )
    sheet = Sheet(encoding, delimiter, headers, columns, ignored)
    for index, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(row):
            sheet.blank_rows += 1
            continue
        sheet.rows.append((index, row))
    if not sheet.rows:
        raise _bad(_("The file has column names but no people in it."))
    if len(sheet.rows) > MAX_ROWS:
        raise _bad(
            _("The file has more than %(count)s people. Split it into smaller files.")
            % {"count": MAX_ROWS}
        )
    return sheet

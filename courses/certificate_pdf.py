"""The certificate as a one-page A4 PDF (fpdf2: pure Python, no system libraries)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from courses.models import Certificate

GREEN = (13, 110, 79)


def _font(pdf: FPDF) -> tuple[str, bool]:
    """A Unicode font when one is installed, else the built-in Latin-1 Helvetica."""
    path = Path(getattr(settings, "CERTIFICATE_FONT", "") or "/nonexistent")
    if path.is_file():
        pdf.add_font("body", fname=str(path))
        return "body", True
    return "helvetica", False


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """Name, course, hours, date, code and where to check it — nothing else."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(_("Certificate of completion"))
    pdf.set_creator("Mobile CPD")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    family, unicode = _font(pdf)

    def text(value: str) -> str:
        return (
            value if unicode else value.encode("latin-1", "replace").decode("latin-1")
        )

    pdf.set_draw_color(*GREEN)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    lines = [
        (12, 24, GREEN, _("Certificate of completion")),
        (14, 14, None, _("This certifies that")),
        (4, 26, None, certificate.user.display_name),
        (8, 14, None, _("completed")),
        (4, 20, GREEN, certificate.course.title),
        (
            8,
            14,
            None,
            _("worth %(hours)s CPD hours, on %(day)s.")
            % {
                "hours": certificate.hours,
                "day": date_format(certificate.issued_at, "j F Y"),
            },
        ),
    ]
    pdf.set_y(28)
    for gap, size, colour, value in lines:
        pdf.ln(gap)
        pdf.set_font(family, size=size)
        pdf.set_text_color(*(colour or (30, 30, 30)))
        pdf.multi_cell(0, size * 0.5, text(value), align="C")
    pdf.set_y(pdf.h - 34)
    pdf.set_font(family, size=11)
    pdf.set_text_color(90, 90, 90)
    check = _("Check this certificate at %(url)s · code %(code)s") % {
        "url": verify_url,
        "code": certificate.code,
    }
    if not certificate.is_valid:
        check = _("REVOKED") + " · " + check
    pdf.multi_cell(0, 6, text(check), align="C")
    return bytes(pdf.output())

"""Turn one spreadsheet row's text into the fields of a person, or say what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from cpd.enrolment.reading import Sheet, fold
from cpd.models import Cadre, Role

# Words for roles, cadres and languages as a ministry's sheet writes them.
ROLE_WORDS: dict[str, str] = {
    **{
        fold(w): Role.LEARNER
        for w in (
            "learner",
            "participant",
            "trainee",
            "student",
            "apprenant",
            "participante",
            "formando",
            "mwanafunzi",
            "mshiriki",
            "متعلم",
        )
    },
    **{
        fold(w): Role.MENTOR
        for w in (
            "mentor",
            "tuteur",
            "tutrice",
            "mentore",
            "tutor",
            "mlezi",
            "mshauri",
            "مرشد",
        )
    },
}

CADRE_WORDS: dict[str, str] = {
    **{
        fold(w): Cadre.NURSE
        for w in (
            "nurse",
            "registered nurse",
            "enrolled nurse",
            "rn",
            "infirmier",
            "infirmiere",
            "enfermeiro",
            "enfermeira",
            "muuguzi",
            "ممرض",
            "ممرضة",
        )
    },
    **{
        fold(w): Cadre.MIDWIFE
        for w in (
            "midwife",
            "nurse midwife",
            "sage-femme",
            "sage femme",
            "parteira",
            "enfermeira parteira",
            "mkunga",
            "قابلة",
        )
    },
    **{
        fold(w): Cadre.CLINICAL_OFFICER
        for w in (
            "clinical officer",
            "co",
            "officier clinique",
            "tecnico de medicina",
            "técnico de medicina",
            "afisa tabibu",
            "tabibu",
            "مسؤول سريري",
        )
    },
    **{
        fold(w): Cadre.DOCTOR
        for w in (
            "doctor",
            "medical officer",
            "physician",
            "md",
            "medecin",
            "médecin",
            "medico",
            "médico",
            "daktari",
            "طبيب",
        )
    },
    **{
        fold(w): Cadre.COMMUNITY_HEALTH_WORKER
        for w in (
            "chw",
            "community health worker",
            "community health volunteer",
            "chv",
            "agent de sante communautaire",
            "agent de santé communautaire",
            "asc",
            "agente comunitario de saude",
            "agente comunitário de saúde",
            "apes",
            "mhudumu wa afya ya jamii",
            "عامل صحة مجتمعي",
        )
    },
    **{fold(w): Cadre.OTHER for w in ("other", "autre", "outro", "nyingine", "آخر")},
    **{fold(value): value for value in Cadre.values},
}

LANGUAGE_WORDS: dict[str, str] = {
    **{fold(code): code for code, _label in settings.LANGUAGES},
    **{fold(w): "en" for w in ("english", "anglais", "ingles", "inglês", "kiingereza")},
    **{
        fold(w): "fr"
        for w in ("french", "francais", "français", "frances", "kifaransa")
    },
    **{
        fold(w): "pt"
        for w in ("portuguese", "portugais", "portugues", "português", "kireno")
    },
    **{fold(w): "sw" for w in ("swahili", "kiswahili", "souahili", "suaili", "suaíli")},
    **{fold(w): "ar" for w in ("arabic", "arabe", "árabe", "kiarabu", "العربية")},
}


EMAIL_MAX = 254  # the email columns' length


@dataclass
class Person:
    """A row as understood: the fields, and every problem found in it."""

    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = Role.LEARNER
    cadre: str = ""
    facility: str = ""
    district: str = ""
    language: str = ""
    mentor: str = ""
    errors: list[str] = field(default_factory=list)


def phone_e164(raw: str, region: str) -> str | None:
    """A phone number in E.164 (+254712345678), reading local numbers in ``region``."""
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    elif region and text.isdigit() and not text.startswith("0"):
        # 254712345678 typed into a number cell lost its "+": try it as
        # international before reading it as a local number.
        try:
            number = phonenumbers.parse("+" + text, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def person(sheet: Sheet, values: list[str], *, region: str) -> Person:
    """Read one row of ``sheet`` as a person to enrol."""
    p = Person()
    p.name = sheet.value(values, "name")[:80]
    if not p.name:
        p.errors.append(_("The name is missing."))
    email = sheet.value(values, "email").lower()
    if email:
        try:
            if len(email) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(email)
            p.email = email
        except ValidationError:
            p.errors.append(
                _("“%(value)s” is not an email address.") % {"value": email}
            )
    phone = sheet.value(values, "phone")
    if phone:
        e164 = phone_e164(phone, region)
        if e164 is None:
            if region:
                p.errors.append(
                    _(
                        "“%(value)s” is not a phone number (local numbers are read "
                        "as %(country)s)."
                    )
                    % {"value": phone, "country": region}
                )
            else:
                p.errors.append(
                    _(
                        "“%(value)s” is not a phone number. Write it with its country "
                        "code (+254…), or set the cohort's country for local numbers."
                    )
                    % {"value": phone}
                )
        else:
            p.phone = e164
    if not email and not phone:
        p.errors.append(_("A phone number or an email is needed to reach this person."))
    for key, words, message in (
        ("role", ROLE_WORDS, _("Unknown role “%(value)s”: write learner or mentor.")),
        (
            "cadre",
            CADRE_WORDS,
            _(
                "Unknown cadre “%(value)s”: write nurse, midwife, clinical "
                "officer, doctor, community health worker or other."
            ),
        ),
        (
            "language",
            LANGUAGE_WORDS,
            _(
                "Unknown language “%(value)s”: write English, French, "
                "Portuguese, Swahili or Arabic."
            ),
        ),
    ):
        raw = sheet.value(values, key)
        if not raw:
            continue
        known = words.get(fold(raw))
        if known is None:
            p.errors.append(message % {"value": raw})
        else:
            setattr(p, key, known)
    p.facility = sheet.value(values, "facility")[:120]
    p.district = sheet.value(values, "district")[:120]
    mentor = sheet.value(values, "mentor")
    if mentor:
        if "@" in mentor:
            try:
                if len(mentor) > EMAIL_MAX:
                    raise ValidationError("too long")
                validate_email(mentor)
                p.mentor = mentor.lower()
            except ValidationError:
                p.errors.append(
                    _("The mentor “%(value)s” is neither an email nor a phone number.")
                    % {"value": mentor}
                )
        else:
            p.mentor = phone_e164(mentor, region) or ""
            if not p.mentor:
                p.errors.append(
                    _("The mentor “%(value)s” is neither an email nor a phone number.")
                    % {"value": mentor}
                )
        if p.mentor and p.role == Role.MENTOR:
            p.errors.append(_("A mentor cannot have a mentor in this cohort."))
    return p

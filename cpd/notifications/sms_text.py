"""Fit a notification into one SMS segment.

A segment is 160 characters of the GSM 03.38 alphabet (where the extension
characters ^{}\\[~]|€ count twice), or 70 UCS-2 characters as soon as one
character is outside it — Arabic text, or a French "ê". One segment is one
charge on a prepaid bundle, so every SMS is cut to fit one.
"""

from __future__ import annotations

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€")
GSM_SEGMENT = 160
UCS2_SEGMENT = 70


# Typography that costs a UCS-2 segment for nothing: French texts put narrow
# no-break spaces before ":" and use curly apostrophes.
PLAIN = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def plain(text: str) -> str:
    return text.translate(PLAIN)


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def units(text: str) -> int:
    """Length as the gateway counts it in the text's own encoding."""
    if is_gsm(text):
        return sum(2 if c in GSM_EXTENSION else 1 for c in text)
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def segments(text: str) -> int:
    """Segments a message takes (multipart segments carry 153 or 67 units)."""
    n = units(text)
    single, multi = (GSM_SEGMENT, 153) if is_gsm(text) else (UCS2_SEGMENT, 67)
    return 1 if n <= single else -(-n // multi)


def fit(text: str, link: str = "", max_segments: int = 1) -> str:
    """``text`` then ``link``, shortened (never the link) to ``max_segments``.

    One segment unless the caller allows more: an invitation in Arabic needs
    two, as its link alone nearly fills a 70-character UCS-2 segment.
    """
    text = plain(text)
    tail = f" {link}" if link else ""
    whole = f"{text}{tail}"
    if segments(whole) <= max_segments:
        return whole
    if max_segments <= 1:
        limit = GSM_SEGMENT if is_gsm(whole) else UCS2_SEGMENT
    else:
        limit = (153 if is_gsm(whole) else 67) * max_segments
    room = limit - units(tail) - 3  # "..."
    cut = ""
    for c in text:
        if units(cut + c) > room:
            break
        cut += c
    return f"{cut.rstrip()}...{tail}"

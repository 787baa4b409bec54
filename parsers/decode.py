"""Bytes → str for text and HTML, without mojibake, and without dropping a page for a few bad bytes.

Chinese portals often serve GBK while the HTTP header or the page claims UTF-8 (or says nothing), so a
declared charset is only trusted when the bytes decode cleanly under it. GB2312 and GBK are read as
GB18030, their superset, so that rare characters outside GB2312 survive.

Pages also carry stray invalid bytes (an editor's cut through a character, a truncated download, a GBK
fragment pasted into a UTF-8 page). Such a page is decoded in the encoding that fits it best, each invalid
sequence replaced by U+FFFD and counted; only bytes that fit no encoding at all fail.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from parsers.document import ExtractionError

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
#: A decoding with more than this share of its characters replaced warns (the count is always kept):
#: one stray byte in a report page is ~0.01 %; a page past 0.1 % has lost words.
WARN_REPLACED_SHARE = 0.001
#: A decoding with more than this share of its characters replaced is not that encoding: past it, the next
#: encoding is tried, and when none is within it the content fits no encoding (the bytes stay archived).
#: Stray bytes are far below it; random bytes read as GB18030 leave ~3 % invalid, as UTF-8 far more.
MAX_REPLACED_SHARE = 0.02
#: A short text fits with this many replacements whatever their share (one stray byte in a 40-character page).
STRAY_ALLOWANCE = 3


@dataclass
class Decoded:
    """Decoded text, the encoding that decoded it, and how many invalid byte sequences became U+FFFD."""

    text: str
    encoding: str
    replaced: int = 0

    @property
    def share(self) -> float:
        return self.replaced / max(len(self.text), 1)

    @property
    def fits(self) -> bool:
        """Few enough replacements (MAX_REPLACED_SHARE, STRAY_ALLOWANCE) and text, not control characters."""
        few = self.share <= MAX_REPLACED_SHARE or self.replaced <= STRAY_ALLOWANCE
        return few and _looks_like_text(self.text)

    @property
    def warnings(self) -> list[str]:
        """What a reader of the document must know: only when the replaced share is over WARN_REPLACED_SHARE."""
        if self.share <= WARN_REPLACED_SHARE:
            return []
        return [
            f"{self.replaced:,} invalid byte sequence(s) in the {self.encoding} text replaced by U+FFFD "
            f"({self.share:.2%} of its characters)"
        ]


def charset_from_content_type(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _codec(name: str) -> str | None:
    lowered = name.strip().lower()
    lowered = _SUPERSETS.get(lowered, lowered)
    try:
        return codecs.lookup(lowered).name
    except LookupError:
        return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _lenient(data: bytes, codec: str) -> Decoded:
    """``data`` decoded with each invalid sequence replaced by U+FFFD (by the codec itself, at C speed), and
    those counted: the U+FFFD in the text less the ones the bytes spell out themselves."""
    text = data.decode(codec, errors="replace")
    return Decoded(text, codec, max(text.count("\ufffd") - _spelt_replacements(data, codec), 0))


def _spelt_replacements(data: bytes, codec: str) -> int:
    """How many U+FFFD the bytes encode in ``codec`` (a page may print one); the encoded form is found as what
    "a\ufffd" adds to "a", so that a BOM the codec writes first is left out."""
    try:
        start, both = "a".encode(codec), "a\ufffd".encode(codec)
    except UnicodeError:  # a codec that cannot write U+FFFD: the bytes cannot spell it either
        return 0
    return data.count(both[len(start) :])


def _looks_like_text(text: str) -> bool:
    """Rejects decodings full of control characters (binary data that happened to decode)."""
    if not text:
        return True
    sample = text[:20000]
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f")
    return controls / len(sample) < 0.01


def decode(data: bytes, declared: tuple[str | None, ...] = ()) -> tuple[str, str]:
    """``(text, encoding used)`` of ``decode_text``: for callers that need no count of replaced bytes."""
    decoded = decode_text(data, declared)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, declared: tuple[str | None, ...] = ()) -> Decoded:
    """Decode ``data``; ``declared`` are charsets named by the HTTP header and the page, in trust order.

    In order: a BOM; the declared charsets, UTF-8 and GB18030 where they decode cleanly; the one of those that
    needs the fewest replacements, if it fits (at most MAX_REPLACED_SHARE of the text, or STRAY_ALLOWANCE);
    a detector's guess, if it fits (another encoding altogether). Raises ExtractionError when nothing does."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            decoded = _lenient(data, name)
            decoded.encoding = name.replace("-sig", "")
            return decoded
    if b"\x00" in data[:8192]:
        raise ExtractionError("binary content (NUL bytes), not text")
    codecs_in_order = list(
        dict.fromkeys(codec for name in (*declared, "utf-8", "gb18030") if name and (codec := _codec(name)))
    )
    for codec in codecs_in_order:
        text = _strict(data, codec)
        if text is not None and _looks_like_text(text):
            return Decoded(text, codec)
    closest = min((_lenient(data, codec) for codec in codecs_in_order), key=lambda decoded: decoded.replaced)
    if closest.fits:  # stray bytes in a page of a portal's own encodings: a detector would guess Cyrillic
        return closest
    best = charset_normalizer.from_bytes(data[:200000]).best()
    if best is not None:
        decoded = _lenient(data, best.encoding)
        if decoded.fits:
            return decoded
    raise ExtractionError(
        f"undecodable text: no encoding fits (declared, UTF-8, GB18030 or detected); the closest, {closest.encoding}, "
        f"leaves {closest.share:.0%} of the characters invalid"
        + ("" if _looks_like_text(closest.text) else " and is full of control characters")
    )

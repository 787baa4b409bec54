"""Bytes → str for text and HTML, without mojibake.

Chinese portals often serve GBK while the HTTP header or the page claims UTF-8 (or says nothing), so a
declared charset is only trusted when the bytes decode cleanly under it. GB2312 and GBK are read as
GB18030, their superset, so that rare characters outside GB2312 survive.
"""

from __future__ import annotations

import codecs
import re

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


def _try(data: bytes, name: str | None) -> str | None:
    codec = _codec(name) if name else None
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _looks_like_text(text: str) -> bool:
    """Rejects decodings full of control characters (binary data that happened to decode)."""
    if not text:
        return True
    sample = text[:20000]
    controls = sum(1 for char in sample if char < " " and char not in "\t\n\r\f")
    return controls / len(sample) < 0.01


def decode(data: bytes, declared: tuple[str | None, ...] = ()) -> tuple[str, str]:
    """Decode ``data``; ``declared`` are charsets named by the HTTP header and the page, in trust order.

    Returns ``(text, encoding used)``. Raises ExtractionError when no encoding gives text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name.replace("-sig", "")
    if b"\x00" in data[:8192]:
        raise ExtractionError("binary content (NUL bytes), not text")
    candidates = [name for name in declared if name] + ["utf-8", "gb18030"]
    for name in candidates:
        text = _try(data, name)
        if text is not None and _looks_like_text(text):
            return text, _codec(name) or name
    best = charset_normalizer.from_bytes(data[:200000]).best()
    if best is not None:
        text = data.decode(best.encoding, errors="replace")
        if _looks_like_text(text):
            return text, best.encoding
    raise ExtractionError("undecodable text: no encoding (declared, UTF-8, GB18030 or detected) fits")

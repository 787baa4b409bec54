"""Parsed records as tests read them: plain JSON-like data.

``parsers.record.parse_bytes`` returns a ``ReportRecord`` TypedDict whose tables are optional; tests index
deep into them (``record["applications"]["granted"][0]``) and iterate over table names, which a TypedDict
only allows with literal keys. Here the same record, typed as the JSON it is.
"""

from __future__ import annotations

import typing
from typing import Any

from parsers import record


def parse_bytes(data: bytes, url: str | None = None) -> dict[str, Any]:
    """``parsers.record.parse_bytes(data, url)``, typed as JSON-like data."""
    return typing.cast(dict[str, Any], record.parse_bytes(data, url))

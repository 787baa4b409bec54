"""Small helpers every layer shares, and nothing else: this package imports no other package of ours
(the bottom of import-linter's layers contract, pyproject.toml).

- ``now()``: the time stamps the archive and the crawler's tables store (UTC, ISO 8601, to the second).
"""

from __future__ import annotations

import datetime as dt


def now() -> str:
    """The current time as the archive writes it: ``2026-01-31T08:00:00+00:00``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

"""The browse table's own facets (registered by ``plugin.register_facet_classes``), each one pass over an index.

* ``AgencyFacet``: reports counted by body (archive/aliases.py, ``report_bodies``), so that 聊城市科技局 and
  聊城市科学技术局 of 山东省聊城市 are one line; a line selects ``?_agency=<body key>``.
* ``FailedChecksFacet``: reports counted by each check they fail (``browse.failed_checks``, a JSON list);
  a line selects ``?_check=<name>``. Datasette's array facet counts the same but expands every row's list and
  keeps each row whole to count it once per value (``DISTINCT`` over the rows): 520 ms and a temporary
  B-tree of every row at 100,000 reports, past the facet time limit (issue 14). Reports share few distinct
  lists (a few hundred), so here rows are grouped by list first (from the ``browse_failed_checks`` index)
  and only the distinct lists are expanded: 8 ms.
"""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from archive.aliases import Body
from web import metadata

Result = dict[str, Any]


class _OneQueryFacet(Facet):
    """A facet whose counts come from one statement per column (``result``), under the facet time limit;
    a column named both by the metadata and by the URL (``_facet_checks=failed_checks``) is counted once."""

    async def facet_results(self) -> tuple[list[Result], list[str]]:
        results: list[Result] = []
        timed_out: list[str] = []
        done: set[str] = set()
        for config in self.get_configs():
            column = config["config"].get("column") or config["config"]["simple"]
            if column in done:
                continue
            done.add(column)
            try:
                results.append(await self.result(column, config["source"]))
            except QueryInterrupted:
                timed_out.append(column)
        return results, timed_out

    async def rows(self, sql: str) -> list[Any]:
        answer = await self.ds.execute(
            self.database, sql, self.params, truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms")
        )
        return list(answer.rows)

    async def result(self, column: str, source: str) -> Result:
        raise NotImplementedError

    def toggle(self, argument: str, value: str, label: str, count: int) -> Result:
        """One line of the facet: selecting it adds ``argument=value`` to the page's URL, or removes it."""
        selected = self.request.args.get(argument) == value
        path = (path_with_removed_args if selected else path_with_added_args)(self.request, {argument: value})
        return {
            "value": value,
            "label": label,
            "count": count,
            "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
            "selected": selected,
        }

    def answer(self, column: str, source: str, values: list[Result], truncated: bool) -> Result:
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {f"_facet_{self.type}": column})),
            "results": values,
            "truncated": truncated,
        }


class AgencyFacet(_OneQueryFacet):
    """The agency facet: the page's reports counted by body (``report_bodies``: each report's ``Body.key`` as
    the archive keeps it), grouped and ranked in SQL: only the lines shown come back, and no Python runs per
    agency. (Naming the body of each distinct agency and region in Python on every page took ~1 s of CPU at
    100,000 reports, 90,000 of them; bench/serve.py.)"""

    type = metadata.AGENCY_FACET

    async def result(self, column: str, source: str) -> Result:
        size = self.get_facet_size()
        rows = await self.rows(
            f"""SELECT body, count(*) AS count FROM report_bodies
                WHERE body IS NOT NULL AND id IN (SELECT id FROM ({self.sql}))
                GROUP BY body ORDER BY count DESC, body LIMIT {size + 1}"""
        )
        values = []
        for key, count in rows[:size]:
            body = Body.stored(key)
            label = f"{body.name}（{body.region}）" if body.region else body.name
            values.append(self.toggle(metadata.AGENCY_ARGUMENT, key, label, count))
        return self.answer(column, source, values, len(rows) > size)


class FailedChecksFacet(_OneQueryFacet):
    """Reports by each check they fail, from the distinct lists of failed checks. A list with a name twice
    counts its rows once for it (``DISTINCT`` per list), as Datasette's array facet does."""

    type = metadata.CHECKS_FACET

    async def result(self, column: str, source: str) -> Result:
        quoted = escape_sqlite(column)
        size = self.get_facet_size()
        rows = await self.rows(
            f"""SELECT value, sum(n) AS count FROM (
                    SELECT DISTINCT g.list, g.n, j.value FROM (
                        SELECT {quoted} AS list, count(*) AS n FROM ({self.sql})
                        WHERE {quoted} IS NOT NULL GROUP BY {quoted}
                    ) g, json_each(g.list) j
                ) GROUP BY value ORDER BY count DESC, value LIMIT {size + 1}"""
        )
        values = [self.toggle(metadata.CHECK_ARGUMENT, str(value), str(value), count) for value, count in rows[:size]]
        return self.answer(column, source, values, len(rows) > size)

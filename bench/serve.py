"""Benchmark: every page of ``nianbao serve`` on a synthetic archive of 100,000 reports, before and after.

    .venv/bin/python bench/serve.py [--reports 100000] [--sources 5000] [--repeats 5] [--session 500]
    .venv/bin/python bench/serve.py --quick          # 5,000 reports from 1,000 ingested, 1 repeat, 50 loads

The archive (cached under ``bench/cache/``):

1. ``--sources`` synthetic reports (``bench/synthetic.py``) go through the real ``intake.ingest.ingest``,
   one document per transaction, as ``bench/search.py`` builds its archive;
2. they are replicated by SQL up to ``--reports``: copy *k* of report *i* gets new ids (documents, reports,
   blobs, records, report_records, record_cells, record_checks, sightings; browse rows come from the
   archive's own trigger on ``report_records``), and its text is varied — the place of report *i* renamed
   in its agency, text and region (a new name per place and copy, ``replicate``: the bodies grow with the
   archive and no agency-year repeats, as in reality), the title likewise; the bytes are the varied text
   (its own sha256), the three search indexes are filled by the archive's triggers from the varied text
   (the real tokenizer). The parsed numbers and checks are the source report's.

Both steps run the code of ``--baseline-ref`` (a ``git archive`` of that commit under ``bench/cache/``),
so the archive is what that version writes (its schema). The *baseline* side serves that archive with
that version's ``nianbao serve``; the *after* side serves a copy migrated by this checkout (``nianbao
serve`` migrates on start) with this checkout's ``nianbao serve``. Both servers run at once on 127.0.0.1;
every page is requested on both, interleaved (who goes first alternates), ``--repeats`` times: wall time
seen by the client, and CPU time of the server's worker process (the sum over its threads of
``/proc/<pid>/task/*/schedstat``), HTTP status and size. Then a long session: ``--session`` page loads per
side, cycling through every page, the worker's ``VmHWM`` (peak resident memory) read every 50 loads.

Results: ``bench/results/serve.md`` and ``.json`` (``--quick``: ``bench/cache/quick/``; ``--out`` elsewhere).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils.utils import sqlite3

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / "cache"
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))
import synthetic  # noqa: E402 (bench/ is not a package)

#: The last commit before issue 14's changes to serving: what the baseline side runs.
BASELINE_REF = "717ea51"
#: Bumped when the replication below changes, so that a cached archive is rebuilt.
BUILD_VERSION = 2
#: The target of issue 14 item 3: every page within this many seconds at 100,000 reports.
TARGET_S = 1.0
#: The database's name in every URL: both sides serve a file named ``archive.db``.
DATABASE = "archive"


def progress(line: str) -> None:
    """Overwrite the progress line on stderr."""
    print(f"\r{line}   ", end="", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# The code of the baseline


def baseline_tree(ref: str) -> Path:
    """The files of commit ``ref`` (``git archive``), extracted once under ``bench/cache/``."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", f"{ref}^{{commit}}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = CACHE / f"tree-{commit}"
    if not (tree / "pyproject.toml").exists():
        partial = CACHE / f"tree-{commit}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(partial)], input=archive, check=True)
        partial.rename(tree)
    return tree


def tree_environment(tree: Path) -> dict[str, str]:
    """A child's environment that imports ``tree``'s modules before the installed (editable) checkout."""
    env = {key: value for key, value in os.environ.items() if key != "NIANBAO_DB"}
    env["PYTHONPATH"] = str(tree)
    return env


# --------------------------------------------------------------------------------------------------
# The archive: ingested sources, replicated by SQL (run in the baseline tree: ``_ingest``, ``_replicate``)


def _generator_digest() -> str:
    digest = hashlib.sha256(f"build {BUILD_VERSION}\0".encode())
    for path in [BENCH / "synthetic.py", *sorted(synthetic.SEED_DIR.glob("*.txt"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def ingest_sources(path: Path, count: int, seed: int) -> dict[str, Any]:
    """``count`` synthetic reports into a new archive at ``path`` through ``intake.ingest.ingest`` (the
    importing tree's: run by ``_ingest`` in the baseline tree), one document per transaction."""
    from archive.db import connect

    try:  # the baseline tree's write path: archive/ before the layout split (issue 16), intake/ after it
        from archive.ingest import Source, finish_run, ingest, start_run
    except ModuleNotFoundError:
        from intake.ingest import Source, finish_run, ingest, start_run

    db = connect(path)
    run_id = start_run(db, "import", {"benchmark": "serve", "sources": count, "seed": seed})
    started = time.perf_counter()
    cpu = time.process_time()
    for index, text in enumerate(synthetic.generate(count, seed)):
        outcome = ingest(db, Source(url=f"https://bench.example/{index}.txt", data=text.encode()), run_id)
        if outcome.status != "new" or outcome.report_id != index + 1 or outcome.document_id != index + 1:
            raise RuntimeError(f"source {index} was not a new report with its own ids: {outcome}")
        if (index + 1) % 100 == 0:
            rate = (index + 1) / (time.perf_counter() - started)
            progress(f"ingest: {index + 1:,}/{count:,} reports, {rate:.0f}/s")
    print(file=sys.stderr)
    finish_run(db, run_id)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "sources": count,
        "ingest_seconds": round(time.perf_counter() - started, 1),
        "ingest_cpu_ms_per_report": round((time.process_time() - cpu) / count * 1000, 2),
    }


@dataclass(frozen=True)
class Identity:
    """Who a report is by: its place (a source report's), its department (another's)."""

    place: str  # 聊城市, 博山区
    department: str  # 科学技术局
    province: str | None
    city: str | None
    county: str | None


#: The generator's departments, longest first (an agency is its place's name and one of these).
_DEPARTMENTS = sorted((full for full, _, _ in synthetic._DEPARTMENTS), key=len, reverse=True)


def identity_of(agency: str, province: str | None, city: str | None, county: str | None) -> Identity | None:
    """A synthetic agency split into its place and department (None: not one the generator makes)."""
    department = next((name for name in _DEPARTMENTS if agency.endswith(name)), None)
    if department is None or len(agency) == len(department):
        return None
    return Identity(agency[: -len(department)], department, province, city, county)


def vary(text: str, source: Identity, target: Identity) -> str:
    """``text`` of ``source``'s report as ``target``'s: agency, place (full and short name) and province, all in
    one pass (a place's new name holds the old one, 甲聊城市 holds 聊城: replaced one after another, the short
    name would be replaced again inside the new full name)."""
    replacements = {
        source.place + source.department: target.place + target.department,
        source.place: target.place,
        synthetic._short(source.place): synthetic._short(target.place),
    }
    if source.province and target.province:
        replacements[source.province] = target.province
    replacements = {old: new for old, new in replacements.items() if len(old) >= 2 and old != new}
    if not replacements:
        return text
    pattern = re.compile("|".join(map(re.escape, sorted(replacements, key=len, reverse=True))))
    return pattern.sub(lambda match: replacements[match.group()], text)


#: The digits of a place's new names in copies (``new_place_name``): the ten heavenly stems.
STEMS = "甲乙丙丁戊己庚辛壬癸"


def new_place_name(place: str, number: int) -> str:
    """A new name of ``place``: ``number`` spelled in heavenly stems in front (甲乙聊城市 for 12, 聊城市)."""
    return "".join(STEMS[int(digit)] for digit in str(number)) + place


def renamed(source: Identity, place: str) -> Identity:
    """``source``'s body in a copy whose ``source.place`` is called ``place``: its department, and its region
    with the place's own level (its county, or else its city) renamed alike."""
    county = place if source.county == source.place else source.county
    city = place if source.city == source.place and source.county != source.place else source.city
    return Identity(place, source.department, source.province, city, county)


def replicate(source_path: Path, path: Path, total: int) -> dict[str, Any]:
    """Copy the archive at ``source_path`` to ``path`` and grow it to ``total`` reports by SQL (see the
    module's docstring). Runs in the baseline tree (``_replicate``): its ``connect`` registers the search
    index functions the triggers call. Foreign keys are not checked while copying (every id is new).

    Each copy renames every place of the source archive to a name no report of the archive has yet
    (``new_place_name``), the same new name for all of a place's reports in that copy: each body comes once
    more under a new name, with the same years and numbers. So agencies and (agency, year) pairs grow with
    the archive and none repeats, and a body has as many reports (relatives a new report is linked and
    checked against) at any size as in the ingested base: a real archive grows by more bodies too. (Copies
    that took a place from one source report and a department from another ran out of the generator's
    ~21,000 agencies: an agency-year held up to 2.7 reports at 300,000, and the work on related reports grew
    with the archive.)"""
    from archive.db import connect

    try:  # the baseline tree's linking: archive/ before the layout split (issue 16), intake/ after it
        from archive.linking import text_key
    except ModuleNotFoundError:
        from intake.linking import text_key

    shutil.copyfile(source_path, path)
    db = connect(path)
    db.conn.execute("PRAGMA foreign_keys = OFF")
    sources = db.execute("SELECT id, agency, province, city, county, title, text FROM documents ORDER BY id").fetchall()
    count = len(sources)
    if [row[0] for row in sources] != list(range(1, count + 1)):
        raise RuntimeError("the source archive's document ids are not 1..N")
    identities = [identity_of(row[1] or "", *row[2:5]) for row in sources]
    if None in identities:
        raise RuntimeError("a source report's agency is not one the generator makes")
    places = {identity.place for identity in identities if identity is not None}
    made = {sha256 for (sha256,) in db.execute("SELECT sha256 FROM blobs")}
    started = time.perf_counter()
    copies, minted = -(-total // count), 0
    for copy in range(1, copies):
        offset = copy * count
        rows = sources[: min(count, total - offset)]
        documents, blobs = [], []
        names: dict[str, str] = {}  # this copy's new name of each place
        for index, (doc_id, _, _, _, _, title, text) in enumerate(rows):
            source = identities[index]
            if source is None:
                raise RuntimeError(f"report {doc_id}: an agency the generator does not make")
            if source.place not in names:
                while (name := new_place_name(source.place, minted := minted + 1)) in places:
                    pass
                places.add(name)
                names[source.place] = name
            target = renamed(source, names[source.place])
            new_text = vary(text, source, target)
            data = new_text.encode()
            sha256 = hashlib.sha256(data).hexdigest()
            if sha256 in made:
                raise RuntimeError(f"report {doc_id} as {target.place + target.department}: bytes made already")
            made.add(sha256)
            blobs.append((sha256, data))
            documents.append(
                (
                    doc_id + offset,
                    sha256,
                    doc_id + offset,
                    len(data),
                    vary(title or "", source, target),
                    new_text,
                    text_key(sha256, new_text),
                    target.place + target.department,
                    target.province,
                    target.city,
                    target.county,
                    doc_id,
                )
            )
        low, high = offset + 1, offset + len(rows)
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.executemany("INSERT INTO blobs (sha256, data) VALUES (?, ?)", blobs)
        db.conn.executemany(
            """INSERT INTO documents (id, sha256, report_id, size, media_type, encoding, title, text, text_key,
                   page_count, needs_ocr, warnings, agency, year, province, city, county, format, created_at)
               SELECT ?, ?, ?, ?, media_type, encoding, ?, ?, ?, page_count, needs_ocr, warnings, ?, year, ?, ?, ?,
                   format, created_at FROM documents WHERE id = ?""",
            documents,
        )
        params = {"offset": offset, "low": low - offset, "high": high - offset}
        for statement in _COPY_STATEMENTS:
            db.conn.execute(statement, params)
        db.conn.execute("COMMIT")
        rate = (high - count) / (time.perf_counter() - started)
        progress(f"replicate: {high:,}/{total:,} reports, {rate:.0f}/s")
    print(file=sys.stderr)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"replicate_seconds": round(time.perf_counter() - started, 1)}


#: The rows of each copy (documents :low..:high, shifted by :offset), in the order the triggers need:
#: reports (its insert fills the search indexes from the document's text), records, cells and checks, then
#: report_records (its insert computes the browse row), sightings.
_COPY_STATEMENTS = [
    "INSERT INTO reports (id, primary_document_id, created_at) SELECT id + :offset, primary_document_id + :offset, "
    "created_at FROM reports WHERE id BETWEEN :low AND :high",
    """INSERT INTO records (document_id, parser_version, record, not_a_report, failed_checks, parsed_at)
       SELECT x.document_id + :offset, x.parser_version,
           json_set(x.record, '$.title', d.title, '$.agency', d.agency, '$.region.province', d.province,
                    '$.region.city', d.city, '$.region.county', d.county),
           x.not_a_report, x.failed_checks, x.parsed_at
       FROM records x JOIN documents d ON d.id = x.document_id + :offset
       WHERE x.document_id BETWEEN :low AND :high""",
    "INSERT INTO record_cells SELECT document_id + :offset, table_name, row_name, col, value, inferred "
    "FROM record_cells WHERE document_id BETWEEN :low AND :high",
    "INSERT INTO record_checks SELECT document_id + :offset, name, status, details "
    "FROM record_checks WHERE document_id BETWEEN :low AND :high",
    """INSERT INTO report_records (report_id, sources, warnings, checks, status, not_a_report, failed_checks,
           built_at)
       SELECT report_id + :offset, (SELECT json_group_object(key, value + :offset) FROM json_each(sources)),
           warnings, checks, status, not_a_report, failed_checks, built_at
       FROM report_records WHERE report_id BETWEEN :low AND :high""",
    """INSERT INTO sightings (document_id, run_id, url, final_url, seen_at, http_status, etag, last_modified,
           previous_document_id, found_on)
       SELECT document_id + :offset, run_id, 'https://bench.example/' || (document_id + :offset - 1) || '.txt',
           'https://bench.example/' || (document_id + :offset - 1) || '.txt', seen_at, http_status, etag,
           last_modified, NULL, found_on
       FROM sightings WHERE document_id BETWEEN :low AND :high""",
]


def archive_path(reports: int, sources: int, seed: int, commit: str) -> Path:
    return CACHE / f"serve-{reports}-from-{sources}-s{seed}-{commit}-{_generator_digest()}.db"


def build_archive(tree: Path, reports: int, sources: int, seed: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The cached archive of ``reports`` reports (built by the baseline ``tree`` when missing) and how it was
    made. The ingested sources are cached too (``serve-sources-…``), for other sizes."""
    commit = tree.name.removeprefix("tree-")
    path = archive_path(reports, sources, seed, commit)
    meta_path = path.with_suffix(".json")
    source_path = CACHE / f"serve-sources-{sources}-s{seed}-{commit}-{_generator_digest()}.db"
    source_meta = source_path.with_suffix(".json")
    if rebuild:
        for stale in (path, meta_path, source_path, source_meta):
            stale.unlink(missing_ok=True)
    if not source_path.exists():
        print(f"ingesting {sources:,} synthetic reports into {source_path.name} …", file=sys.stderr)
        _in_tree(tree, "_ingest", str(source_path.with_suffix(".partial.db")), str(sources), str(seed))
        _rename_archive(source_path.with_suffix(".partial.db"), source_path)
        source_path.with_suffix(".partial.json").rename(source_meta)
    if not path.exists():
        print(f"replicating to {reports:,} reports: {path.name} …", file=sys.stderr)
        partial = path.with_suffix(".partial.db")
        _in_tree(tree, "_replicate", str(source_path), str(partial), str(reports))
        _rename_archive(partial, path)
        meta = {
            **json.loads(source_meta.read_text()),
            **json.loads(partial.with_suffix(".json").read_text()),
            "reports": reports,
            "built_by": commit,
            "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        }
        meta_path.write_text(json.dumps(meta, indent=1))
        partial.with_suffix(".json").unlink()
    return path, json.loads(meta_path.read_text())


def _in_tree(tree: Path, command: str, *args: str) -> None:
    """Run this file's ``command`` with ``tree``'s modules (its ``archive``), writing its summary beside
    the archive it makes (``<archive>.json`` of the partial file)."""
    subprocess.run([sys.executable, __file__, command, *args], env=tree_environment(tree), cwd=tree, check=True)


def _rename_archive(partial: Path, path: Path) -> None:
    for suffix in ("-wal", "-shm", ".write.lock"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)


# --------------------------------------------------------------------------------------------------
# Serving: the real `nianbao serve` of each side, in its own process


@dataclass
class Server:
    """One side's ``nianbao serve`` (its tree's code) on 127.0.0.1, a free port."""

    side: str
    process: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    workers: set[int] = field(default_factory=set)  # every worker seen serving (more than one: replaced)

    @classmethod
    def start(cls, side: str, tree: Path, archive: Path, env: dict[str, str] | None = None) -> Server:
        command = [
            sys.executable,
            "-c",
            "from cli.main import cli; cli()",
            "--db",
            str(archive),
            "serve",
            "--port",
            "0",
        ]
        process = subprocess.Popen(
            command, env={**tree_environment(tree), **(env or {})}, cwd=tree, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        line = (
            process.stdout.readline()
        )  # "Serving … at http://127.0.0.1:PORT/ (Ctrl-C to stop)"; the archive migrates first
        match = re.search(r"(http://[0-9.]+:[0-9]+)/", line)
        if match is None:
            process.kill()
            raise RuntimeError(f"{side}: nianbao serve did not start: {line!r}")
        # Drained from now on: a tree without web.serve's plain error logs prints each refused query as a
        # rich traceback on stdout when rich is installed, and a full pipe stops its server.
        threading.Thread(target=process.stdout.read, name=f"{side}-stdout", daemon=True).start()
        server = cls(side, process, match.group(1))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the worker answers once Datasette is up
            try:
                server.get("/-/versions.json")
                return server
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{side}: nianbao serve did not answer within 120 s")

    def worker(self) -> int:
        """The worker process serving (``web.serve`` forks it; it is replaced after a stuck statement)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if not children:
            raise RuntimeError(f"{self.side}: no worker process")
        self.workers.add(int(children[-1]))
        return int(children[-1])

    def cpu_ns(self) -> int:
        """CPU time of the worker so far: every thread's (``/proc/<pid>/task/*/schedstat``, nanoseconds)."""
        total = 0
        for task in Path(f"/proc/{self.worker()}/task").iterdir():
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (FileNotFoundError, ProcessLookupError):  # a thread that just ended
                continue
        return total

    def memory_kb(self) -> dict[str, int]:
        """The worker's peak (``VmHWM``) and current (``VmRSS``) resident memory, in kB."""
        fields = {}
        for line in Path(f"/proc/{self.worker()}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                fields[name] = int(value.split()[0])
        return fields

    def get(self, path: str, timeout: float = 120) -> tuple[int, int]:
        """(HTTP status, bytes of the body) of GET ``path``; status 0: no answer (the connection dropped: the
        worker serving it was ended by the watchdog, a statement stuck past twice the time limit)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, len(response.read())
        except urllib.error.HTTPError as error:
            return error.code, len(error.read())
        except (ConnectionError, http.client.HTTPException, urllib.error.URLError, TimeoutError):
            return 0, 0

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=120) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --------------------------------------------------------------------------------------------------
# The pages


@dataclass(frozen=True)
class Page:
    """A page timed on both sides: ``path`` may name ``{report}``, ``{agency}``, ``{next}`` (filled per side)."""

    name: str
    path: str
    group: str


def _q(**params: str) -> str:
    return "?" + urllib.parse.urlencode(params)


def pages(charts: list[str]) -> list[Page]:
    """Every page issue 14 names, HTML and JSON: browse (default facets, the next page, a facet chosen, a
    sort, the array facet, both searches), every other table, every canned query, a report page, the
    compare page, the charts dashboard and each of the ``charts``' data."""
    d = f"/{DATABASE}"
    result = [Page("index", "/", "other"), Page("database", d, "other")]
    browse = {
        "browse": "",
        "browse page 2": "?_next={next}",
        "browse province=山东省": _q(province="山东省"),
        "browse _sort_desc=new_received": _q(_sort_desc="new_received"),
        "browse _facet_array=failed_checks": _q(_facet_array="failed_checks"),
        "browse _search=复议": _q(_search="复议"),
        "browse _search=政务公开": _q(_search="政务公开"),
        "browse _search=政务公开 province=山东省": _q(_search="政务公开", province="山东省"),
        "browse _search=政务新媒体": _q(_search="政务新媒体"),  # ~40% of the reports: the widest IN set
        "browse failed_checks__arraycontains=cross_year.in_force": _q(
            failed_checks__arraycontains="cross_year.in_force"
        ),
    }
    for name, query in browse.items():
        result += [
            Page(name, f"{d}/browse{query}", "browse"),
            Page(name + " (JSON)", f"{d}/browse.json{query}", "browse"),
        ]
    tables = ["reports", "documents", "sightings", "records", "report_records", "record_cells", "record_checks"]
    tables += ["runs", "failures", "crawl_portal_runs"]
    result += [Page(f"table {table}", f"{d}/{table}", "tables") for table in tables]
    canned = {
        "search q=复议": ("search", _q(q="复议")),
        "search q=政务公开": ("search", _q(q="政务公开")),
        "check_summary": ("check_summary", ""),
        "failed_checks (all)": ("failed_checks", _q(check="")),
        "failed_checks check=applications.balance": ("failed_checks", _q(check="applications.balance")),
        "failed_checks check=cross_year.in_force": ("failed_checks", _q(check="cross_year.in_force")),
        "agency_series agency=…": ("agency_series", "?agency={agency}"),
        "agency_series (all)": ("agency_series", _q(agency="")),
        "application_totals (all)": ("application_totals", _q(province="", city="")),
        "application_totals province=山东省": ("application_totals", _q(province="山东省", city="")),
        "runs_history": ("runs_history", ""),
    }
    for name, (query, args) in canned.items():
        result += [
            Page(name, f"{d}/{query}{args}", "canned"),
            Page(name + " (JSON)", f"{d}/{query}.json{args}", "canned"),
        ]
    result += [
        Page("report page", "/-/report/{report}", "report"),
        Page("report page (JSON)", "/-/report/{report}.json", "report"),
        Page("compare report=…", "/-/compare?report={report}", "compare"),
        Page("compare report=… (JSON)", "/-/compare.json?report={report}", "compare"),
        Page("compare (choose a body)", "/-/compare", "compare"),
        Page("compare (choose a body) (JSON)", "/-/compare.json", "compare"),
        Page("compare agency=…", "/-/compare?agency={agency}", "compare"),
        Page("charts dashboard", "/-/dashboards/charts", "charts"),
    ]
    for name in charts:  # each side's own SQL for the chart (``page_values``)
        result.append(Page(f"chart {name} (JSON)", f"{d}.json?sql={{chart_{name}}}&_shape=objects", "charts"))
    return result


def chart_queries(server: Server) -> dict[str, str]:
    """Each chart's SQL as the dashboard page asks for its data (no filter chosen: ``[[…]]`` blocks dropped)."""
    config = server.get_json("/-/metadata.json")["plugins"]["datasette-dashboards"]["charts"]["charts"]
    return {name: re.sub(r"\[\[.*?\]\]", "", chart["query"], flags=re.S) for name, chart in config.items()}


def page_values(server: Server, archive: Path) -> dict[str, str]:
    """What the paths' placeholders stand for on this side: a report of a body with several years (of those
    with three or more, the one with most reports), the body, the browse page after the first, each chart's
    SQL (``chart_<name>``: the side's own)."""
    first = server.get_json(f"/{DATABASE}/browse.json?_size=100&_nofacet=1&_nocount=1")
    connection = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    agency, report = connection.execute(
        "SELECT agency, max(id) FROM browse WHERE agency IS NOT NULL GROUP BY agency, province, city, county "
        "ORDER BY min(count(DISTINCT year), 3) DESC, count(*) DESC, agency LIMIT 1"
    ).fetchone()
    connection.close()
    charts = {f"chart_{name}": urllib.parse.quote(sql) for name, sql in chart_queries(server).items()}
    return {
        "next": urllib.parse.quote(str(first["next"])),
        "report": str(report),
        "agency": urllib.parse.quote(agency),
        **charts,
    }


# --------------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Sample:
    wall_s: float
    cpu_s: float
    status: int
    size: int


@dataclass
class PageResult:
    page: Page
    samples: dict[str, list[Sample]] = field(default_factory=dict)  # side -> samples


def time_page(server: Server, path: str) -> Sample:
    cpu = server.cpu_ns()
    started = time.perf_counter()
    status, size = server.get(path)
    wall = time.perf_counter() - started
    return Sample(wall, (server.cpu_ns() - cpu) / 1e9, status, size)


def measure(
    servers: list[Server], values: dict[str, dict[str, str]], page_list: list[Page], repeats: int
) -> list[PageResult]:
    """Every page ``repeats`` times on every side, interleaved: page by page, the sides in turn, who goes
    first alternating, so that the machine's load falls on both alike. A first, untimed load of each page
    on each side warms the caches (the OS's, SQLite's, Datasette's)."""
    results = [PageResult(page, {server.side: [] for server in servers}) for page in page_list]
    for round_number in range(repeats + 1):
        for index, result in enumerate(results):
            order = servers if (round_number + index) % 2 == 0 else servers[::-1]
            for server in order:
                sample = time_page(server, result.page.path.format(**values[server.side]))
                if round_number > 0:
                    result.samples[server.side].append(sample)
            progress(f"round {round_number}/{repeats}: page {index + 1}/{len(results)} {result.page.name}")
    print(file=sys.stderr)
    return results


def session(
    servers: list[Server], values: dict[str, dict[str, str]], page_list: list[Page], loads: int
) -> dict[str, list[dict[str, int]]]:
    """``loads`` page loads per side (every page in turn, sides interleaved); each worker's memory every 50
    loads, and how many answers so far were not HTTP 200."""
    memory: dict[str, list[dict[str, int]]] = {server.side: [] for server in servers}
    failed = {server.side: 0 for server in servers}
    for load in range(1, loads + 1):
        page = page_list[(load - 1) % len(page_list)]
        for server in servers:
            status, _ = server.get(page.path.format(**values[server.side]))
            failed[server.side] += status != 200
            if load % 50 == 0 or load == loads:
                memory[server.side].append({"loads": load, "not_200": failed[server.side], **server.memory_kb()})
        if load % 10 == 0:
            progress(f"session: {load}/{loads} page loads per side")
    print(file=sys.stderr)
    return memory


# --------------------------------------------------------------------------------------------------
# The sides and the report


def after_archive(archive: Path) -> Path:
    """The after side's copy of ``archive`` (this checkout's ``nianbao serve`` migrates it on start), kept
    while ``archive/db.py`` (the migrations) is unchanged."""
    digest = hashlib.sha256((ROOT / "archive" / "db.py").read_bytes()).hexdigest()[:10]
    folder = CACHE / f"{archive.stem}-after-{digest}"
    path = folder / f"{DATABASE}.db"
    if not path.exists():
        for stale in CACHE.glob(f"{archive.stem}-after-*"):
            shutil.rmtree(stale)
        folder.mkdir()
        print(f"copying the archive for the after side: {path.relative_to(ROOT)} …", file=sys.stderr)
        shutil.copyfile(archive, folder / "copy.partial")
        (folder / "copy.partial").rename(path)
    return path


def baseline_archive(archive: Path) -> Path:
    """The baseline side serves the cached archive itself (its own schema: nothing to migrate, nothing
    written), under the name both sides share: a symbolic link ``archive.db``."""
    folder = CACHE / f"{archive.stem}-baseline"
    folder.mkdir(exist_ok=True)
    link = folder / f"{DATABASE}.db"
    if not link.is_symlink() or link.resolve() != archive.resolve():
        link.unlink(missing_ok=True)
        link.symlink_to(archive.resolve())
    return link


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def summarise(results: list[PageResult], sides: list[str]) -> list[dict[str, Any]]:
    rows = []
    for result in results:
        row: dict[str, Any] = {"page": result.page.name, "group": result.page.group, "path": result.page.path}
        for side in sides:
            samples = result.samples[side]
            walls, cpus = [s.wall_s for s in samples], [s.cpu_s for s in samples]
            row[side] = {
                "wall_p50_s": round(statistics.median(walls), 4),
                "wall_p95_s": round(percentile(walls, 0.95), 4),
                "cpu_p50_s": round(statistics.median(cpus), 4),
                "statuses": sorted({s.status for s in samples}),
                "bytes": samples[-1].size,
            }
        rows.append(row)
    return rows


def machine() -> dict[str, Any]:
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "archive", "cli"], cwd=ROOT, capture_output=True, text=True)
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "code": commit.strip()
        + (
            " (modified: " + ", ".join(line[3:] for line in dirty.stdout.splitlines()) + ")"
            if dirty.stdout.strip()
            else ""
        ),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.0995 else f"{seconds * 1000:.1f} ms"


def _status(statuses: list[int]) -> str:
    """Nothing for HTTP 200 every time; else each status seen (0: the connection dropped, no answer)."""
    return "" if statuses == [200] else " (HTTP " + "/".join(str(s) if s else "dropped" for s in statuses) + ")"


def _passes(side: dict[str, Any]) -> bool:
    """A page meets the target on a side: HTTP 200 every time, p95 wall time within TARGET_S."""
    return bool(side["statuses"] == [200] and side["wall_p95_s"] <= TARGET_S)


def _header(summary: dict[str, Any]) -> list[str]:
    m, p, b = summary["machine"], summary["parameters"], summary["build"]
    load = " / ".join(map(str, m["load_average"]))
    return [
        f"# `nianbao serve` at {p['reports']:,} reports: every page, before and after",
        "",
        f"- date: {m['date']}; machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['platform']}; "
        f"load average {load} (1/5/15 min) at the end",
        f"- Python {m['python']}, SQLite {m['sqlite']}; after: code at {m['code']}; baseline: commit {p['baseline']}",
        f"- command: `{p['command']}`",
        f"- archive ({summary['archive_gib']} GiB): {b['sources']:,} synthetic reports (`bench/synthetic.py`, seed "
        f"{p['seed']}) through `intake.ingest.ingest` ({b['ingest_cpu_ms_per_report']} ms of CPU each), "
        f"replicated by SQL to {p['reports']:,} in {b['replicate_seconds']} s: each copy with new ids in every "
        "table, its agency, place and province swapped for another source report's place and a third's "
        "department (text, title, bytes and sha256 too; the search indexes and browse rows filled by the "
        "archive's own triggers), the parsed numbers and checks the source's. Built by the baseline's code (its "
        "schema); the after side serves a copy this checkout migrated on start "
        f"({summary['after_start_s']} s to the first answer)",
        f"- every page {p['repeats']} times per side after one untimed load, both servers running side by side, "
        "requests interleaved (who goes first alternates); *wall*: at the client; *CPU*: the server's worker, all "
        "its threads (`/proc/<pid>/task/*/schedstat`), what the page costs whatever else runs on the machine",
        f"- the session: {p['session']} page loads per side on freshly started servers, every page in turn",
    ]


def _summary_lines(summary: dict[str, Any]) -> list[str]:
    rows = summary["pages"]
    passing = {side: sum(_passes(row[side]) for row in rows) for side in ("baseline", "after")}
    cpu = {side: sum(row[side]["cpu_p50_s"] for row in rows) for side in ("baseline", "after")}
    within = sum(row["after"]["cpu_p50_s"] <= TARGET_S and row["after"]["statuses"] == [200] for row in rows)
    peaks = {side: max((point["VmHWM"] for point in summary["session"][side]), default=0) for side in cpu}
    return [
        "",
        f"**After: {passing['after']} of {len(rows)} pages answer HTTP 200 with p95 wall time ≤ {TARGET_S:g} s "
        f"(baseline: {passing['baseline']}); {within} of {len(rows)} answer 200 within {TARGET_S:g} s of CPU. All "
        f"pages together: {cpu['baseline']:.2f} s of CPU before, {cpu['after']:.2f} s after "
        f"({cpu['baseline'] / cpu['after']:.1f}×). Peak resident memory of the worker over the session: "
        f"{peaks['baseline'] / 1024:,.0f} MB before, {peaks['after'] / 1024:,.0f} MB after.**",
        "",
        "Wall time on this machine includes waiting for a core: with the load average above (other work on two "
        "cores), a page's wall time is several times its CPU time; on an idle machine it is at most its CPU time "
        "(Datasette runs a page's facets on three threads).",
        "",
    ]


def _page_lines(summary: dict[str, Any]) -> list[str]:
    lines = [
        "| page | baseline wall p50 / p95 | baseline CPU | after wall p50 / p95 | after CPU | wall ratio | CPU ratio "
        "| ≤ 1 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in summary["pages"]:
        base, after = row["baseline"], row["after"]
        wall = base["wall_p50_s"] / after["wall_p50_s"]
        cpu = base["cpu_p50_s"] / after["cpu_p50_s"] if after["cpu_p50_s"] > 0 else float("inf")
        lines.append(
            f"| {row['page']} | {_ms(base['wall_p50_s'])} / {_ms(base['wall_p95_s'])}{_status(base['statuses'])} "
            f"| {_ms(base['cpu_p50_s'])} | {_ms(after['wall_p50_s'])} / {_ms(after['wall_p95_s'])}"
            f"{_status(after['statuses'])} | {_ms(after['cpu_p50_s'])} | {wall:.1f}× | {cpu:.1f}× "
            f"| {'✓' if _passes(after) else '✗'} |"
        )
    return lines


def _memory_lines(summary: dict[str, Any]) -> list[str]:
    session = summary["session"]
    lines = [
        "",
        "## Memory of the worker over the session",
        "",
        "VmHWM: peak resident memory of the worker process so far; VmRSS: resident at that point. Workers "
        f"replaced during the session (a statement stuck past twice the time limit): baseline "
        f"{summary['replaced']['baseline']}, after {summary['replaced']['after']} (a new worker starts from zero).",
        "",
        "| page loads | baseline VmHWM | baseline VmRSS | baseline not 200 | after VmHWM | after VmRSS | "
        "after not 200 |",
        "|---|---|---|---|---|---|---|",
    ]
    for base, after in zip(session["baseline"], session["after"], strict=True):
        lines.append(
            f"| {base['loads']} | {base['VmHWM'] / 1024:,.0f} MB | {base['VmRSS'] / 1024:,.0f} MB | "
            f"{base['not_200']} | {after['VmHWM'] / 1024:,.0f} MB | {after['VmRSS'] / 1024:,.0f} MB | "
            f"{after['not_200']} |"
        )
    return lines


def markdown(summary: dict[str, Any]) -> str:
    lines = [*_header(summary), *_summary_lines(summary), *_page_lines(summary), *_memory_lines(summary)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# Entry points


def _child(command: str, args: list[str]) -> None:
    """The build steps run in the baseline tree; each writes its summary beside the archive it makes."""
    if command == "_ingest":
        target, count, seed = Path(args[0]), int(args[1]), int(args[2])
        summary = ingest_sources(target, count, seed)
    else:
        source, target, total = Path(args[0]), Path(args[1]), int(args[2])
        summary = replicate(source, target, total)
    target.with_suffix(".json").write_text(json.dumps(summary))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("_ingest", "_replicate"):
        _child(sys.argv[1], sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=100_000, help="reports in the archive")
    parser.add_argument("--sources", type=int, default=5_000, help="of which ingested (the rest replicated by SQL)")
    parser.add_argument("--repeats", type=int, default=5, help="timed loads of each page per side")
    parser.add_argument("--session", type=int, default=500, help="page loads per side for the memory reading")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="the commit the baseline side runs")
    parser.add_argument("--quick", action="store_true", help="5,000 reports from 1,000, 1 repeat, 50 loads")
    parser.add_argument("--rebuild", action="store_true", help="build the archive again")
    parser.add_argument(
        "--out", type=Path, help="results: OUT.md and OUT.json (bench/results/serve; --quick: bench/cache/quick/serve)"
    )
    args = parser.parse_args()
    if args.quick:  # a smoke run: never over the measured results
        args.reports, args.sources, args.repeats, args.session = 5_000, 1_000, 1, 50
    if args.out is None:
        args.out = CACHE / "quick" / "serve" if args.quick else RESULTS / "serve"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    CACHE.mkdir(exist_ok=True)
    tree = baseline_tree(args.baseline_ref)
    archive, build = build_archive(tree, args.reports, args.sources, args.seed, args.rebuild)
    sides = {"baseline": (tree, baseline_archive(archive)), "after": (ROOT, after_archive(archive))}
    started = time.perf_counter()
    servers = [Server.start(side, side_tree, path) for side, (side_tree, path) in sides.items()]
    after_start = time.perf_counter() - started
    try:
        values = {server.side: page_values(server, sides[server.side][1]) for server in servers}
        page_list = pages(sorted(chart_queries(servers[0])))
        results = measure(servers, values, page_list, args.repeats)
    finally:
        for server in servers:
            server.stop()
    args.out.parent.mkdir(exist_ok=True)
    measured = {"pages": summarise(results, list(sides)), "values": values}  # kept if the session fails
    args.out.with_suffix(".partial.json").write_text(json.dumps(measured, ensure_ascii=False), encoding="utf-8")
    memory: dict[str, list[dict[str, int]]] = {side: [] for side in sides}
    replaced = {side: 0 for side in sides}
    if args.session:
        servers = [Server.start(side, side_tree, path) for side, (side_tree, path) in sides.items()]
        try:
            memory = session(servers, values, page_list, args.session)
        finally:
            for server in servers:
                server.stop()
                replaced[server.side] = len(server.workers) - 1
    summary = {
        "machine": machine(),
        "parameters": {
            "reports": args.reports,
            "sources": args.sources,
            "repeats": args.repeats,
            "session": args.session,
            "seed": args.seed,
            "baseline": tree.name.removeprefix("tree-"),
            "command": " ".join(["bench/serve.py", *sys.argv[1:]]),
        },
        "build": build,
        "archive_gib": round(archive.stat().st_size / 2**30, 2),
        "after_start_s": round(after_start, 1),
        "pages": summarise(results, list(sides)),
        "session": memory,
        "replaced": replaced,
    }
    text = markdown(summary)
    print(text)
    args.out.with_suffix(".md").write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    args.out.with_suffix(".partial.json").unlink()


if __name__ == "__main__":
    main()

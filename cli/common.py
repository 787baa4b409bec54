"""What every `nianbao` subcommand shares: click settings, the options several command modules declare
(--db before and after the command, --json, the report filters), the archive named by --db, hints that run
as printed, file names and JSON printed safely.

Every command imports this module, and `nianbao --version`, `search` and `parse` start in 0.4 s
(bench/cli.py) only if nothing imports a library a command does not use: besides click and the standard
library, only archive.search (the status words; it imports sqlite-utils only for type checking) and
parsers.document (the file types) are imported here. The archive itself is opened by the commands.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import shutil
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from archive.search import STATUSES
from parsers.document import SHORT_TYPES

if TYPE_CHECKING:
    import sqlite_utils

    from intake import ingest
else:

    def _lazy_module(name: str) -> ModuleType:
        """``name`` imported on first use (the standard library's recipe with importlib.util.LazyLoader):
        ``reextract_documents`` needs intake.ingest, which imports every extractor (pdfplumber, trafilatura,
        python-docx) — over a second of start-up for the commands that never call it."""
        module = sys.modules.get(name)
        if module is not None:
            return module
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None, name
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        return module

    ingest = _lazy_module("intake.ingest")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: SQLite's largest integer: a larger id names no row (and cannot even be bound as a parameter). The same
#: number as archive.db.MAX_INTEGER (tests/test_cli_startup.py checks), written here because archive.db
#: imports sqlite-utils, which `nianbao parse` and `--version` do not need.
MAX_ROW_ID = 2**63 - 1
#: A report or document id: a number beyond SQLite's range is a usage error, not a traceback.
ROW_ID = click.IntRange(1, MAX_ROW_ID)
#: A file type, as the archive names them (pdf, html, docx, doc, txt).
FILE_TYPES = click.Choice(sorted(set(SHORT_TYPES.values())))
F = TypeVar("F", bound=Callable[..., Any])
#: Commands that make a new archive when --db names none; every other command needs an existing one.
CREATING_COMMANDS = frozenset({"import", "crawl", "demo"})
#: Where the --db given on the command line is kept (``click.Context.meta`` is shared by every context).
_DB_GIVEN = "nianbao.db_given"
#: Unicode categories that cannot be printed on one line: controls (newline, escape), format characters
#: (right-to-left overrides), lone surrogates (Python's stand-ins for bytes of a name that is not UTF-8),
#: line and paragraph separators.
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def json_option(printed: str = "", *, help_text: str | None = None) -> Callable[[F], F]:
    """--json (the parameter ``as_json``): ``printed`` ("the run summary") as one JSON object instead of lines
    for people; ``help_text`` where the output is not one object (``parse``: one per file)."""
    return click.option("--json", "as_json", is_flag=True, help=help_text or f"Print {printed} as one JSON object.")


def filter_options(function: F) -> F:
    """Which reports: the filters of `nianbao search` and `nianbao export`, defined once (archive.search.Filters
    in this order: agency, year, province, city, report_format, file_type, status)."""
    options = [
        click.option("--agency", help="Only reports of this agency, as the title names it (聊城市科学技术局)."),
        click.option("--year", type=click.IntRange(1, 9999), help="Only reports covering this year."),
        click.option("--province", help="Only reports of agencies in this province (山东省)."),
        click.option("--city", help="Only reports of agencies in this city (淄博市)."),
        click.option(
            "--format", "report_format", type=click.Choice(["2021", "2019", "legacy"]), help="Report table format."
        ),
        click.option("--type", "file_type", type=FILE_TYPES, help="Only reports with a file of this type."),
        click.option(
            "--status",
            type=click.Choice(STATUSES),
            help="Only reports with this status (incomplete: statistics tables missing or blank).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def import_sqlite_utils() -> None:
    """Import sqlite-utils without numpy and pandas, before any archive module imports it.

    sqlite-utils imports numpy and pandas when they are installed (sqlite_utils/db.py: ``np =
    importlib.import_module("numpy")``) only to map their scalar types to column types for inserts. The
    archive never inserts numpy values, and numpy (installed for pyarrow's exports) was over half of
    `nianbao search`'s start-up (bench/cli.py). Blocked only while sqlite-utils loads: an export that
    needs numpy later imports it as usual."""
    if "sqlite_utils" in sys.modules:
        return
    blocked = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not importable" mark
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in blocked:
            del sys.modules[name]


def printable(text: str | os.PathLike[str]) -> str:
    """``text`` (a file name, a URL, a reason) as one line of valid UTF-8: as it is when every character
    prints, else with backslashes doubled and each unprintable character escaped: ``\\n``, ``\\x1b``,
    ``\\u202e``, and ``\\xff`` for a byte of a name that is not UTF-8 (which Python holds as a lone surrogate)."""
    text = os.fspath(text)
    if not any(unicodedata.category(char) in _UNPRINTABLE for char in text):
        return text
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) not in _UNPRINTABLE:
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00 (0x80 to 0xff)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return char.encode("unicode_escape").decode("ascii")
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def nianbao_command() -> str:
    """How to run nianbao again, as this process was started, so that every hint runs as printed:
    ``nianbao`` when that name on PATH is this program, else the script's path (``.venv/bin/nianbao``,
    relative to the current folder when inside it), or ``.venv/bin/python -m cli``."""
    started_as = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if started_as.name == "__main__.py":  # python -m cli
        return f"{_shown(Path(sys.executable))} -m cli"
    script = started_as if started_as.name == "nianbao" else Path(sys.executable).parent / "nianbao"
    on_path = shutil.which("nianbao")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "nianbao"
    return _shown(script)


def _shown(path: Path) -> str:
    """``path`` as a shell word: relative when under the current folder (``.venv/bin/nianbao``)."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return shlex.quote(printable(absolute))
    return shlex.quote(printable(relative if relative.parent != Path() else f"./{relative}"))


def hint(*args: str | os.PathLike[str]) -> str:
    """A nianbao command line to print, quoted so that it runs as printed: ``hint("--db", path, "demo")``."""
    return " ".join([nianbao_command(), *(shlex.quote(printable(arg)) for arg in args)])


def _db_given(context: click.Context, _param: click.Parameter, value: str | None) -> None:
    """--db after the subcommand: the archive for this command (and every context above it). Given both
    before and after the subcommand, the two must name the same file."""
    if value is None:
        return
    earlier = context.meta.get(_DB_GIVEN)
    if earlier is not None and os.path.abspath(earlier) != os.path.abspath(value):
        raise click.BadParameter(
            f"given twice, as {printable(earlier)} and {printable(value)}: give it once", param_hint="'--db'"
        )
    context.meta[_DB_GIVEN] = value
    level: click.Context | None = context
    while level is not None:
        level.obj = value
        level = level.parent


#: The archive --db names when neither the option nor $NIANBAO_DB does.
DEFAULT_DB = "nianbao.db"


def archive_option(function: F) -> F:
    """The group's --db, before the command (``with_db_option`` gives each archive command its own after it)."""
    return click.option(
        "--db",
        "db_path",
        default=DEFAULT_DB,
        envvar="NIANBAO_DB",
        show_default=True,
        type=click.Path(dir_okay=False),
        help="The archive file (SQLite), here or after the command. Also read from $NIANBAO_DB.",
    )(function)


#: --db's help, after a command's name (before it, ``archive_option`` says the same of itself).
DB_HELP = f"The archive file (SQLite), here or before the command. Default: $NIANBAO_DB, else {DEFAULT_DB}."


def note_db_given(context: click.Context, value: str) -> None:
    """Record the group's --db (before the subcommand) when it came from the command line, so that a
    different --db after the subcommand is refused rather than silently preferred."""
    context.obj = value
    if context.get_parameter_source("db_path") is ParameterSource.COMMANDLINE:
        context.meta[_DB_GIVEN] = value


def with_db_option(command: click.Command) -> click.Command:
    """``command`` taking ``--db PATH`` after its name too (``nianbao search 复议 --db demo.db``)."""
    if not any(param.name == "db" for param in command.params):
        command.params.append(
            click.Option(
                ["--db", "db"],
                type=click.Path(dir_okay=False),
                expose_value=False,
                callback=_db_given,
                help=DB_HELP,
            )
        )
    return command


class NoArchive(click.ClickException):
    """--db names no file for a command that needs an archive: wrong usage, exit 2. Nothing is created."""

    exit_code = 2


def archive_path(context: click.Context) -> str:
    """The archive this command uses: --db (before or after the command), $NIANBAO_DB or nianbao.db."""
    return str(context.find_root().obj)


def _command_name(context: click.Context) -> str | None:
    """The subcommand run (``portals`` for ``nianbao portals discover``), or the command itself when it is
    invoked on its own (tests invoke a command object directly)."""
    while context.parent is not None and context.parent.parent is not None:
        context = context.parent
    return context.command.name


def not_an_archive(path: str | os.PathLike[str], reason: object) -> click.BadParameter:
    """The usage error for a --db that names something other than an archive, and what it is instead."""
    return click.BadParameter(f"{printable(path)} is not a nianbao archive: {reason}", param_hint="'--db'")


def require_archive(context: click.Context) -> Path:
    """The archive's path, which must hold an archive unless the command makes one (import, crawl, demo).

    A missing archive is an error naming the path and how to name or make one (exit 2); a file that
    cannot be an archive (a folder, a device, a text file) is a usage error too. Nothing is created here."""
    from archive import db as archive_db

    path = archive_path(context)
    try:
        exists = archive_db.archive_exists(path)
    except archive_db.NotAnArchive as error:
        raise not_an_archive(path, error) from error
    creating = _command_name(context) in CREATING_COMMANDS
    if exists and not creating:
        _refuse_empty_database(path)
    if not exists and not creating:
        if Path(path).exists():
            raise not_an_archive(path, "an empty file (nothing was written to it)")
        folder = Path(path).parent
        missing = "" if folder.is_dir() else f"; its folder {printable(folder)} does not exist"
        raise NoArchive(
            f"no archive at {printable(path)} (nothing was created{missing}).\n"
            "Name one with --db PATH (before or after the command) or $NIANBAO_DB, or make one:\n"
            f"  {hint('--db', path, 'demo')}            # crawl the bundled offline replica of the portals\n"
            f"  {hint('--db', path, 'import')} FOLDER   # archive your own report files"
        )
    return Path(path)


def _refuse_empty_database(path: str) -> None:
    """A SQLite file with no tables at all would become an archive when opened: only import, crawl and
    demo may do that. (A foreign database, with tables, is refused by archive.db.connect.)"""
    from archive import db as archive_db

    try:
        probe = archive_db.connect(path, migrate=False)
    except archive_db.NotAnArchive as error:
        raise not_an_archive(path, error) from error
    try:
        empty = archive_db.schema_version(probe) == 0
    finally:
        probe.close()
    if empty:
        raise not_an_archive(path, "an empty SQLite database (nothing was written to it)")


def open_archive(context: click.Context, crawler_tables: bool = False) -> sqlite_utils.Database:
    """The archive named by --db, opened (and its schema brought up to date); see ``require_archive``.
    ``crawler_tables``: the crawler's tables too (their own migration set), for the commands that read them.
    A clear error instead of a traceback: exit 2 for a wrong --db, 1 for an archive newer than nianbao."""
    from archive import db as archive_db

    path = require_archive(context)
    try:
        if crawler_tables:
            from crawler import schema  # only where the crawler's tables are read: the crawler loads on demand

            return schema.connect(path)
        return archive_db.connect(path)
    except archive_db.NotAnArchive as error:
        raise not_an_archive(path, error) from error
    except ValueError as error:  # its folder does not exist
        raise click.BadParameter(str(error), param_hint="'--db'") from error
    except RuntimeError as error:  # a schema newer than this nianbao
        raise click.ClickException(str(error)) from error


def print_json(value: object) -> None:
    """``value`` as one line of JSON in valid UTF-8: a string that cannot be encoded (a file name's bytes
    that are not UTF-8, held as lone surrogates) is printed escaped (``printable``); others as they are."""
    text = _dumps(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _dumps(_encodable(value))
    click.echo(text)


def _dumps(value: object) -> str:
    return json.dumps(
        value, ensure_ascii=False, default=lambda item: list(item) if isinstance(item, (set, tuple)) else str(item)
    )


def _encodable(value: Any) -> Any:
    """``value`` with every string that UTF-8 cannot encode made printable, keys included."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return printable(value)
        return value
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_encodable(item) for item in value]
    return value


def reextract_documents(
    context: click.Context, db: sqlite_utils.Database, ids: list[int], done: str, as_json: bool, ocr: bool = False
) -> None:
    """Extract and parse ``ids`` again from their stored bytes, with a progress bar and a summary
    (``done``: "re-extracted" or "re-parsed"); exits 1 if any failed (their old text stays)."""
    failures: dict[int, str] = {}
    with click.progressbar(ids, label=done, file=sys.stderr, hidden=not sys.stderr.isatty()) as bar:
        for document_id in bar:
            reason = ingest.reextract(db, document_id, ocr)
            if reason is not None:
                failures[document_id] = reason
    if as_json:
        print_json({done.replace("-", ""): len(ids) - len(failures), "failed": failures})
    else:
        for document_id, reason in failures.items():
            click.echo(f"failed     document {document_id}: {reason}")
        click.echo(f"{len(ids) - len(failures)} {done}, {len(failures)} failed")
    if failures:
        context.exit(1)

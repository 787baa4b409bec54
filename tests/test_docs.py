"""The README documents the whole command line: every command and subcommand of `nianbao` (walked from the click
command tree, so a new command is checked without touching this file), and every option of each.

A command is run in the README by `nianbao`, then its words (``portals add``), with any options and their
values between them (``nianbao --db demo.db demo``, ``nianbao portals --registry my.toml add``); every command
must be. The text about a command is what follows it on a line that runs it (or names it in code: ``crawl
--max-run-requests``), the sections whose heading names it, and the opening of "## Commands", which says what
every command takes. Each option of a command must appear there by one of its names (``--output`` or ``-o``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"
#: Options given before or between a command's words, each with its value if it takes one.
_OPTIONS = r"(?:\s+-{1,2}[\w-]+(?:[ =](?!-)[^\s`]+)?)*"
_HEADING = re.compile(r"^(#+)\s")


def commands() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command below `nianbao` as (its words, the command), depth first."""
    stack: list[tuple[tuple[str, ...], click.Command]] = [((), cli)]
    while stack:
        path, command = stack.pop()
        if path:
            yield path, command
        if isinstance(command, click.Group):
            context = click.Context(command, info_name=path[-1] if path else "nianbao")
            for name in reversed(command.list_commands(context)):
                sub = command.get_command(context, name)
                assert sub is not None, (path, name)
                stack.append(((*path, name), sub))


def invocation(path: tuple[str, ...], in_code: bool = False) -> re.Pattern[str]:
    """`nianbao` running the command of ``path`` (options between its words allowed); ``in_code``: or a code
    span starting with its words (``import --ocr``)."""
    words = "".join(_OPTIONS + r"\s+" + re.escape(word) for word in path)
    named = "`" + words.removeprefix(_OPTIONS + r"\s+")
    return re.compile(r"(?:\bnianbao" + words + (f"|{named}" if in_code else "") + r")(?![\w-])")


def options(command: click.Command) -> list[list[str]]:
    """Each option of ``command`` by its names, the long one first (``["--output", "-o"]``)."""
    flags = [[*param.opts, *param.secondary_opts] for param in command.params if isinstance(param, click.Option)]
    return [sorted(names, key=lambda name: not name.startswith("--")) for names in flags]


def sections(lines: list[str]) -> Iterator[tuple[str, str]]:
    """(heading, text) of every section: from its heading to the next heading as high or higher, so a
    section holds its subsections. Lines in code blocks are never headings (shell comments start with #)."""
    headings: list[tuple[int, int]] = []  # (line index, level)
    fenced = False
    for index, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            headings.append((index, len(match.group(1))))
    for position, (start, level) in enumerate(headings):
        end = next((index for index, other in headings[position + 1 :] if other <= level), len(lines))
        yield lines[start], "\n".join(lines[start + 1 : end])


def heading_names(heading: str, path: tuple[str, ...]) -> bool:
    """Whether a heading names the command: it runs it, or it runs the command's group and names the
    command in backquotes (### `nianbao portals`: list, `detect`, …)."""
    parent = invocation(path[:-1]) if len(path) > 1 else re.compile(r"\bnianbao\b")
    return bool(invocation(path).search(heading)) or (f"`{path[-1]}`" in heading and bool(parent.search(heading)))


def text_about(readme: str, path: tuple[str, ...]) -> str:
    """What the README says about one command (see the module's docstring)."""
    lines = readme.splitlines()
    pattern = invocation(path, in_code=True)
    after_runs = []
    for line in lines:
        for match in pattern.finditer(line):
            after_runs.append(line[match.end() :].split("nianbao", 1)[0])
    opening = next((text for heading, text in sections(lines) if heading == "## Commands"), None)
    assert opening is not None, 'README.md has no "## Commands" section'
    opening = opening.split("\n#", 1)[0]
    in_sections = [text for heading, text in sections(lines) if heading_names(heading, path)]
    return "\n".join([opening, *after_runs, *in_sections])


def mentions(text: str, names: list[str]) -> bool:
    """Whether ``text`` names the option by any of ``names``, as a word (``--db`` is not in ``--dbx``)."""
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) for name in names)


def test_every_command_and_subcommand_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    paths = [path for path, _command in commands()]
    assert {("portals", "add"), ("search",), ("writer",)} <= set(paths)  # the walk reaches every level
    missing = [" ".join(path) for path in paths if not invocation(path).search(readme)]
    assert not missing, f"README.md never runs: {', '.join(f'nianbao {name}' for name in missing)}"


def test_every_option_of_every_command_is_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = []
    for path, command in commands():
        about = text_about(readme, path)
        missing += [f"nianbao {' '.join(path)} {names[0]}" for names in options(command) if not mentions(about, names)]
    missing += [f"nianbao {names[0]}" for names in options(cli) if not mentions(readme, names)]
    assert not missing, "README.md does not document:\n" + "\n".join(missing)


def test_an_option_is_looked_for_in_its_commands_text_only() -> None:
    """The check is per command: an option documented for one command does not count for another."""
    readme = "## Commands\n\nEvery command has `--help`.\n\n### `nianbao search`\n\n`--limit N` results.\n"
    assert mentions(text_about(readme, ("search",)), ["--limit"])
    assert not mentions(text_about(readme, ("runs",)), ["--limit"])
    assert mentions(text_about("## Commands\n\n$ nianbao --db a.db runs --limit 3\n", ("runs",)), ["--limit"])
    assert mentions(text_about("## Commands\n\nSee `runs -n 3`.\n", ("runs",)), ["--number", "-n"])
    portals = "## Commands\n\n### `nianbao portals`: list, `detect`, `add`\n\n`--via-replica URL`\n"
    assert mentions(text_about(portals, ("portals", "add")), ["--via-replica"])
    assert not mentions(text_about(portals, ("portals", "check")), ["--via-replica"])

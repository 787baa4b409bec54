"""The HTML extractor reads a known CMS body container alone (parsers.htmlmeta.MAIN_CONTAINERS) instead of
running trafilatura over the whole page: on every HTML page the tests hold, the record is the same, and the
text differs only where the module docstring of parsers/html.py says it may.

The whole-page text is what the extractor did before (``article_parts`` answering None makes it read the
whole page). Every line that only the whole-page text has must come from outside the body container (the
page's chrome and heading, box lines trafilatura's main pass does not keep, what follows the body); every
line that only the new text has must be a line the whole-page text also has (a line the body repeats,
which the page-wide recovery kept once).
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

import lxml.html
import pytest

from parsers import decode, htmlmeta
from parsers.document import ExtractedDocument
from parsers.extract import extract
from parsers.record import parse
from replica import large, sites

TESTS = Path(__file__).parent
CONTAINERS = TESTS / "fixtures" / "html-containers"


def _is_page(body: bytes) -> bool:
    return b"<html" in body[:1000].lower() or b"<!doctype html" in body[:1000].lower()


def _pages() -> dict[str, bytes]:
    """Every HTML page the tests hold: fixture files, the replica's portals, the benchmark's generated pages."""
    pages = {
        str(path.relative_to(TESTS)): path.read_bytes()
        for path in sorted(TESTS.rglob("*.htm*"))
        if "artifacts" not in path.parts
    }
    for host, served in sites.build().resources.items():
        pages.update({f"replica {host}{path}": resource.body for path, resource in served.items() if resource.body})
    site, _ = large.build(len(large.FAMILIES), 2)
    for host, served in site.resources.items():
        pages.update({f"large {host}{path}": resource.body for path, resource in served.items() if resource.body})
    return {name: body for name, body in pages.items() if _is_page(body)}


PAGES = _pages()


def _tree(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(decode.decode_text(body, (None, decode.meta_charset(body))).text)


def _whole_page(body: bytes, monkeypatch: pytest.MonkeyPatch) -> ExtractedDocument:
    with monkeypatch.context() as patched:
        patched.setattr(htmlmeta, "article_parts", lambda tree: None)
        return extract(body)


def _squeezed(text: str) -> str:
    return "".join(char for char in text if not char.isspace() and char != "|")


def _outside(tree: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> str:
    """The page's text outside the body container, white space and cell bars removed."""
    texts = []
    for text in tree.xpath("//body//text()"):
        owner = text.getparent()
        inside = owner is container or container in owner.iterancestors()
        if not inside or (text.is_tail and owner is container):
            texts.append(str(text))
    return _squeezed("".join(texts))


def _only_in(first: str, second: str) -> list[str]:
    """The lines of ``first`` that a line diff against ``second`` does not match."""
    return [line[2:] for line in difflib.ndiff(first.splitlines(), second.splitlines()) if line.startswith("- ")]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_same_record_and_only_the_text_around_the_body_differs(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = PAGES[name]
    tree = _tree(body)
    container = htmlmeta.main_container(tree)
    if container is None:  # the whole page is read, as before
        return
    new, old = extract(body), _whole_page(body, monkeypatch)
    assert parse(new) == parse(old)
    assert dataclasses.replace(new, text="") == dataclasses.replace(old, text="")
    outside = _outside(tree, container)
    for line in _only_in(old.text, new.text):
        squeezed = _squeezed(line.removeprefix("- "))
        assert set(squeezed) <= {"-"} or squeezed in outside, f"{line!r} is text of the body, lost"
    old_lines = set(old.text.splitlines())
    for line in _only_in(new.text, old.text):
        assert line in old_lines, f"{line!r} is new text"


def _used(name: str) -> str | None:
    """Which MAIN_CONTAINERS entry the page's body was found by, if any."""
    container = htmlmeta.main_container(_tree(PAGES[name]))
    if container is None:
        return None
    classes = (container.get("class") or "").split()
    return next(
        known.name
        for known in htmlmeta.MAIN_CONTAINERS
        if (container.get("id") == known.name if known.attribute == "id" else known.name in classes)
    )


def test_every_known_container_but_the_nested_one_reads_some_page() -> None:
    """The comparison above covers each container (#UCAP-CONTENT sits inside #zoom: the next test)."""
    used = {_used(name) for name in PAGES}
    assert {known.name for known in htmlmeta.MAIN_CONTAINERS} - used == {"UCAP-CONTENT"}


def test_nested_containers_count_once_as_the_outer_one() -> None:
    tree = _tree((CONTAINERS / "ucap-nested.html").read_bytes())
    container = htmlmeta.main_container(tree)
    assert container is not None and container.get("id") == "zoom"
    assert container.xpath(".//div[@id='UCAP-CONTENT']")


def test_the_article_is_the_metadata_box_and_the_body() -> None:
    """The box's 标题 / 名称 cell is where the title is read first: it stays in the text."""
    tree = _tree((CONTAINERS / "trs-ueditor.html").read_bytes())
    parts = htmlmeta.article_parts(tree)
    assert parts is not None
    assert [part.tag for part in parts] == ["table", "div"]
    assert parts[0].get("class") == "xxgk_table" and "TRS_UEDITOR" in parts[1].get("class", "")
    text = extract((CONTAINERS / "trs-ueditor.html").read_bytes()).text
    assert text.startswith("| 索引号： | 11141100MB0000000X/2024-00021 |")
    assert "当前位置" not in text and "网站标识码" not in text and "附件" not in text


def test_two_bodies_mean_the_whole_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page showing two bodies (a list of previews) is read whole: which one is the article is unknown."""
    page = (CONTAINERS / "taiyuan-Zoom.html").read_text(encoding="utf-8")
    start, end = page.index('<div id="Zoom">'), page.index('<div class="share">')
    doubled = (page[:end] + page[start:end].replace('id="Zoom"', 'id="zoom"') + page[end:]).encode()
    assert htmlmeta.main_container(_tree(doubled)) is None
    assert extract(doubled).text == _whole_page(doubled, monkeypatch).text


def test_a_container_without_the_report_means_the_whole_page() -> None:
    """淮安's #zoom only says 现将…予以公布 and links the PDF: under MIN_CONTAINER_CHARS, no body."""
    tree = _tree((TESTS / "families" / "huaian" / "article.html").read_bytes())
    assert tree.xpath("//div[@id='zoom']")
    assert htmlmeta.main_container(tree) is None

"""A large generated replica for the benchmark: many portals of every CMS family, thousands of pages.

Each portal has paginated listings (half the items are not reports), report pages and a PDF attachment
per report. A report page is a seed report's prose re-attributed to a generated agency, with its tables
2–4 as HTML tables of a random consistent record (replica.layouts), inside the main container its
family's real pages use (``FAMILY_CONTAINERS``), so every page is new content that must be extracted.

The PDFs, by default, cycle through the bundled PDFs (replica/data/: tests want a few distinct files). The
benchmark passes ``PdfTemplate``\\ s instead: LibreOffice PDFs of generated reports whose agency and year
are digit placeholders; each report's PDF is a template with those digits set to its own agency and
year (``PdfTemplate.variant``): distinct bytes and distinct text, still a real PDF with a text layer and
ruled tables, made in about a millisecond instead of LibreOffice's second.
"""

from __future__ import annotations

import io
import random
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

from replica import layouts, templates
from replica.model import Resource, Site
from replica.sites.common import PDF, bundled, seed
from replica.templates import Item

FAMILIES = ("trs", "hanweb", "vsb", "gd", "generic")
PER_PAGE = 20  # listing items per page, half of them reports
PDFS = ["rendered/report-000.pdf", "rendered/report-001.pdf", "rendered/report-002.pdf", "real/huaian-2024.pdf"]
#: Where each family's article pages hold the report (the shapes of the family fixtures, tests/families/*/
#: README.md, and of parsers.htmlmeta.MAIN_CONTAINERS); the generic family has none it is known by.
FAMILY_CONTAINERS = {
    "trs": ('<div class="TRS_Editor">', "</div>"),
    "hanweb": ('<div id="zoom">', "</div>"),
    "vsb": ('<div id="vsb_content"><div class="v_news_content">', "</div></div>"),
    "gd": ('<div class="article-content">', "</div>"),
    "generic": ("", ""),
}
#: The agency and year a PDF template is rendered with: digits that each report's variant replaces.
TEMPLATE_AGENCY = "测试000市第00000局"
TEMPLATE_YEAR = 2000
_BODY = "§BODY§"  # stands for the report body in templates.article's paragraphs, replaced by the markup


def agency(portal: int, number: int) -> str:
    """Report ``number`` of portal ``portal``'s agency: fixed-width digits, the shape of TEMPLATE_AGENCY."""
    return f"测试{portal:03d}市第{number:05d}局"


def year(number: int) -> int:
    return 2021 + number % 4  # years of the 2021 form, whose tables the pages and PDFs print


def title(portal: int, number: int) -> str:
    return f"{agency(portal, number)}{year(number)}年政府信息公开工作年度报告"


@cache
def _prose(seed_number: str) -> tuple[str, str, list[str], list[str]]:
    """A seed's agency, year, and its paragraphs before table 二 and after table 四 (tables dropped)."""
    original_title, lines = seed(seed_number)
    seed_agency = original_title.split("20", 1)[0]
    seed_year = re.search(r"20\d\d", original_title)
    lines = [line for line in lines if "\t" not in line]
    start = next(index for index, line in enumerate(lines) if line.startswith("二、"))
    end = next(index for index, line in enumerate(lines) if line.startswith("五、"))
    after = lines[end:]
    after = after[: next((index for index, line in enumerate(after) if line.startswith("附件")), len(after))]
    return seed_agency, seed_year.group(0) if seed_year else "", lines[:start], after


def report_text(seed_number: str, agency_name: str, report_year: int) -> tuple[list[str], list[str]]:
    """A seed report's prose attributed to ``agency_name`` and ``report_year``: (before, after) the tables."""
    seed_agency, seed_year, before, after = _prose(seed_number)

    def attribute(line: str) -> str:
        line = line.replace(seed_agency, agency_name)
        return re.sub(seed_year + r"(?=\s*年)", str(report_year), line) if seed_year else line

    heading = f"{agency_name}{report_year}年政府信息公开工作年度报告"
    return [heading, *map(attribute, before)], list(map(attribute, after))


def _record(portal: int, number: int) -> dict[str, object]:
    return layouts.random_record(random.Random(f"bench {portal} {number}"))


def _article(family: str, name: str, host: str, portal: int, number: int, pdf: Item) -> bytes:
    """A report page: the family's main container holding the prose and the tables as markup."""
    before, after = report_text(f"{number % 5:03d}", agency(portal, number), year(number))
    body = "\n".join(
        [f"<p>{escape(line)}</p>" for line in before[1:]]
        + layouts.html_tables(_record(portal, number), layouts.Quirks())
        + [f"<p>{escape(line)}</p>" for line in after]
        + [f"<p>（{agency(portal, number)}，编号{portal}-{number}）</p>"]
    )
    opening, closing = FAMILY_CONTAINERS[family]
    page = templates.article(name, host, title(portal, number), [_BODY], [pdf])
    return page.replace(f"<p>{_BODY}</p>", f"{opening}\n{body}\n{closing}", 1).encode()


def _article_href(family: str, number: int) -> str:
    return {
        "trs": f"./2024{number % 12 + 1:02d}/t2024{number % 12 + 1:02d}15_{100000 + number}.html",
        "hanweb": f"/art/2024/1/{number % 28 + 1}/art_1001_{100000 + number}.html",
        "vsb": f"/info/1001/{100000 + number}.htm",
        "gd": f"/zfxxgknb/content/post_{100000 + number}.html",
        "generic": f"/xxgk/nianbao/show/{100000 + number}.html",
    }[family]


def _listing_url(family: str, host: str, page: int) -> str:
    return {
        "trs": f"http://{host}/zfxxgk/zfxxgknb/" + ("index.html" if page == 0 else f"index_{page}.html"),
        "hanweb": f"http://{host}/col/col1001/index.html",
        "vsb": f"http://{host}/xxgknb.htm" if page == 0 else f"http://{host}/xxgknb/{page}.htm",
        "gd": f"http://{host}/zfxxgknb/" + ("index.html" if page == 0 else f"index_{page + 1}.html"),
        "generic": f"http://{host}/xxgk/nianbao/index.html" + ("" if page == 0 else f"?page={page}"),
    }[family]


def _pdf(portal: int, number: int, pdf_templates: Sequence[PdfTemplate]) -> bytes:
    """Report ``number``'s PDF: a bundled PDF in turn, or its own variant of a template."""
    if not pdf_templates:
        return bundled(PDFS[number % len(PDFS)])
    template = pdf_templates[(portal * 7 + number) % len(pdf_templates)]
    text = template.text.replace(TEMPLATE_AGENCY, agency(portal, number))
    return template.variant(re.sub(rf"{TEMPLATE_YEAR}(?=\s*年)", str(year(number)), text))


def _add_portal(site: Site, family: str, index: int, reports: int, pdf_templates: Sequence[PdfTemplate]) -> str:
    """One generated portal; returns its registry entry."""
    host = f"www.bench{index}.gov.cn"
    name = f"测试{index}市人民政府"
    items: list[Item] = []
    for number in range(reports):
        href = _article_href(family, number)
        items.append(Item(href, title(index, number)))
        items.append(Item(href.replace(str(100000 + number), str(900000 + number)), f"{name}工作动态第{number}期"))
        pdf = Item(f"/files/{index}/{number}.pdf", f"{title(index, number)}.pdf")
        article = _article(family, name, host, index, number, pdf)
        site.add(templates_url(family, host, href), Resource(body=article))
        site.add(f"http://{host}{pdf.href}", Resource(body=_pdf(index, number, pdf_templates), content_type=PDF))
    pages = [items[start : start + PER_PAGE] for start in range(0, len(items), PER_PAGE)]
    if family == "hanweb":
        column = templates.hanweb_column(name, "年报", 1001, 5001, index)
        site.add(_listing_url(family, host, 0), Resource(body=column.encode()))
        records = [templates.hanweb_record(item) for item in items]
        site.add(
            f"http://{host}/module/web/jpage/dataproxy.jsp", Resource(behaviour="api", api=templates.dataproxy(records))
        )
    for page, page_items in enumerate(pages):
        url = _listing_url(family, host, page)
        if family == "trs":
            html = templates.trs_list(name, "年报", page_items, page, len(pages))
        elif family == "vsb":
            pager = [Item(f"/xxgknb/{number}.htm", str(number)) for number in range(1, len(pages))]
            html = templates.vsb_list(name, "年报", page_items, pager)
        elif family in ("gd", "generic"):
            pager = [Item(_listing_url(family, host, number), str(number + 1)) for number in range(len(pages))]
            html = templates.vsb_list(name, "年报", page_items, pager)
        else:
            continue
        site.add(url, Resource(body=html.encode()))
    start = _listing_url(family, host, 0)
    return (
        f'[[portal]]\nname = "bench{index}"\nagency = "{name}"\nregion = ""\nfamily = "{family}"\n'
        f'start_urls = ["{start}"]\nhosts = ["{host}"]\n'
    )


def templates_url(family: str, host: str, href: str) -> str:
    """An article's absolute URL (TRS links are relative to the column folder)."""
    if href.startswith("./"):
        return f"http://{host}/zfxxgk/zfxxgknb/{href[2:]}"
    return f"http://{host}{href}"


def build(
    portals: int = 10, reports_per_portal: int = 250, pdf_templates: Sequence[PdfTemplate] = ()
) -> tuple[Site, str]:
    """The large site and its registry (TOML): portals spread over the families. With ``pdf_templates``
    (``render_pdf_templates``) every report's PDF is distinct; without, they cycle through ``PDFS``."""
    site = Site()
    entries = [
        _add_portal(site, FAMILIES[index % len(FAMILIES)], index, reports_per_portal, pdf_templates)
        for index in range(portals)
    ]
    return site, "\n".join(entries)


# -- distinct PDFs ----------------------------------------------------------------------------------------


#: The templates' last line: a contact number holding every digit, so that the font LibreOffice embeds
#: for digits has a glyph for each (a subset font holds only the glyphs a document uses).
_CONTACT = "联系电话：0531-67892340"


def render_pdf_templates(count: int) -> list[bytes]:
    """``count`` PDF templates through LibreOffice (~1.5 s each; the benchmark caches them): seed prose and
    random consistent tables 二–四, attributed to TEMPLATE_AGENCY in TEMPLATE_YEAR."""
    documents = []
    for number in range(count):
        before, after = report_text(f"{number % 5:03d}", TEMPLATE_AGENCY, TEMPLATE_YEAR)
        prose = before, [*after, _CONTACT]
        record = layouts.random_record(random.Random(f"bench template {number}"))
        documents.append(layouts.render_docx(record, layouts.Quirks(), TEMPLATE_AGENCY, TEMPLATE_YEAR, prose))
    return layouts.docx_to_pdf(documents)


@dataclass(frozen=True)
class _Glyph:
    """One shown character code of a content stream: where its hex digits are, and what it reads as."""

    stream: int  # index in PdfTemplate.streams
    offset: int  # of the code's first hex digit in the decompressed stream
    font: str  # the font's key: its object number
    text: str  # its ToUnicode text


@dataclass(frozen=True)
class PdfTemplate:
    """A PDF whose shown text can be changed digit for digit without re-rendering it.

    Digits are their own glyphs with the same advance width in every font LibreOffice embeds for numbers
    (DejaVu, Liberation: tabular figures), so swapping a digit's character code for another digit's code
    of the same font moves nothing on the page. The changed content streams are appended as an
    incremental update (PDF 1.7 §7.5.6: new objects of the same numbers, an xref section for them and a
    trailer pointing at the previous one), as editors append their changes to real reports."""

    data: bytes
    streams: tuple[tuple[int, bytes], ...]  # (object number, decompressed content) of each page's contents
    glyphs: tuple[_Glyph, ...]
    digit_codes: dict[str, dict[str, str]]  # font key (object number) → digit → hex code

    @property
    def text(self) -> str:
        """The shown text, glyph by glyph in content-stream order (no spaces or line breaks added)."""
        return "".join(glyph.text for glyph in self.glyphs)

    @classmethod
    def parse(cls, data: bytes) -> PdfTemplate:
        """Read a PDF whose page contents show text as hex strings of one-byte codes (LibreOffice's output).
        pdfminer (pdfplumber's parser, already installed) resolves the objects; the content streams are
        scanned here, since their byte offsets are what a variant changes."""
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFObjRef, resolve1

        document = PDFDocument(PDFParser(io.BytesIO(data)))
        streams: list[tuple[int, bytes]] = []
        glyphs: list[_Glyph] = []
        digit_codes: dict[str, dict[str, str]] = {}
        for page in PDFPage.create_pages(document):
            contents = page.attrs["Contents"]
            references = contents if isinstance(contents, list) else [contents]
            # a page's resource name (/F2) → the font object's number, the key of the font on every page
            keys = {name: str(getattr(font, "objid", name)) for name, font in resolve1(page.resources["Font"]).items()}
            fonts = {keys[name]: _to_unicode(resolve1(font)) for name, font in resolve1(page.resources["Font"]).items()}
            for key, mapping in fonts.items():
                digit_codes[key] = {text: code for code, text in mapping.items() if len(text) == 1 and text.isdigit()}
            for reference in references:
                assert isinstance(reference, PDFObjRef), "page contents must be indirect objects"
                content = resolve1(reference).get_data()
                glyphs.extend(_glyphs(content, len(streams), keys, fonts))
                streams.append((reference.objid, content))
        return cls(data, tuple(streams), tuple(glyphs), digit_codes)

    def variant(self, text: str) -> bytes:
        """The PDF showing ``text``: ``self.text`` with some digits changed (nothing else may differ)."""
        if len(text) != len(self.text):
            raise ValueError("a variant's text must have the template's length")
        contents = [bytearray(content) for _, content in self.streams]
        for glyph, wanted in zip(self.glyphs, text, strict=True):
            if wanted == glyph.text:
                continue
            if not (wanted.isdigit() and glyph.text.isdigit()):
                raise ValueError(f"only digits may change, not {glyph.text!r} → {wanted!r}")
            code = self.digit_codes[glyph.font].get(wanted)
            if code is None:
                raise ValueError(f"font {glyph.font} of the template has no glyph for {wanted!r}")
            contents[glyph.stream][glyph.offset : glyph.offset + 2] = code.encode()
        return self._update([bytes(content) for content in contents])

    def _update(self, contents: list[bytes]) -> bytes:
        """The template with an incremental update replacing its content streams."""
        trailer = list(re.finditer(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)", self.data, re.S))[-1]
        entries = re.sub(rb"/Prev\s+\d+", b"", trailer.group(1))
        out = io.BytesIO()
        out.write(self.data if self.data.endswith(b"\n") else self.data + b"\n")
        offsets = []
        for (number, _), content in zip(self.streams, contents, strict=True):
            packed = zlib.compress(content)
            offsets.append((number, out.tell()))
            out.write(b"%d 0 obj\n<</Length %d/Filter/FlateDecode>>\nstream\n" % (number, len(packed)))
            out.write(packed + b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n")
        for number, offset in sorted(offsets):
            out.write(b"%d 1\n%010d 00000 n \n" % (number, offset))
        out.write(b"trailer\n<<%s/Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (entries, trailer.group(2), xref))
        return out.getvalue()


_FONT = re.compile(rb"/([^\s/\[\]<>()]+)\s+[-\d.]+\s+Tf")
_HEX = re.compile(rb"(?<!<)<([0-9A-Fa-f]*)>(?!>)")
_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)\s*(?:Tj|'|\")|\[[^\]]*\(")


def _glyphs(content: bytes, stream: int, keys: dict[str, str], fonts: dict[str, dict[str, str]]) -> list[_Glyph]:
    """The glyphs of one content stream's hex strings, each read with the font selected before it (``keys``:
    the page's font resource names → font keys; ``fonts``: font key → code → text)."""
    if _LITERAL.search(content):
        raise ValueError("the template shows text as literal strings: only hex strings are supported")
    fonts_selected = [(match.start(), "font", match) for match in _FONT.finditer(content)]
    strings = [(match.start(), "hex", match) for match in _HEX.finditer(content)]
    events = sorted(fonts_selected + strings, key=lambda event: event[0])
    glyphs: list[_Glyph] = []
    font = ""
    for _, kind, match in events:
        if kind == "font":
            name = match.group(1).decode()
            font = keys.get(name, name)
            continue
        digits = match.group(1)
        for start in range(0, len(digits), 2):
            code = digits[start : start + 2].decode().upper()
            glyphs.append(_Glyph(stream, match.start(1) + start, font, fonts.get(font, {}).get(code, "\ufffd")))
    return glyphs


def _to_unicode(font: dict[str, object]) -> dict[str, str]:
    """A simple font's ToUnicode CMap: one-byte hex code (upper case) → text."""
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap
    from pdfminer.pdftypes import resolve1

    if "ToUnicode" not in font:
        return {}
    unicode_map = FileUnicodeMap()
    CMapParser(unicode_map, io.BytesIO(resolve1(font["ToUnicode"]).get_data())).run()
    return {f"{code:02X}": text for code, text in unicode_map.cid2unichr.items() if code < 256}

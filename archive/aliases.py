"""Agency aliases: one government body under the names its reports print (聊城市科技局 = 聊城市科学技术局).

A report names its agency as its title prints it, and titles vary from year to year: the short name of
the body's type (科技局 for 科学技术局, 人社局 for 人力资源和社会保障局, 政府 for 人民政府), or the
higher places in front (淄博市博山区科学技术局 beside 博山区科学技术局). A body is its full name
together with its region (``Body``): the same full name in two regions is two bodies (朝阳区人民政府 of
北京市 and of 长春市).

Why a table of abbreviations and not fuzzy matching: equal only by rule is exact and predictable, and a
near-match would merge bodies that are not one (科技局 and 科协, 农业局 before 2018 and 农业农村局). Only
the end of a name (the type of body) is abbreviated; the place names before it are kept as printed.

Each report's body is kept in the archive (``report_bodies``, migration 14: its triggers call ``body_key``
as ``BODY_FUNCTION``), so the compare page and the agency facet (web) group reports by an index; the
``agency`` chart filter and ``nianbao search --agency NAME`` match ``agency IN spellings(NAME)``.

A change to ``ABBREVIATIONS`` or to how a name is read changes stored keys: the release that makes it adds
a migration that keys ``report_bodies`` again (tests/test_compare_page.py pins the table as a reminder).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: Full forms of types of body and the short forms titles print for them (聊城市科学技术局 and 周口市科技局
#: are the seeds' forms). A name is read by the longest form it ends with: 人民政府 is not 人民 + 政府.
ABBREVIATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("人力资源和社会保障局", ("人力资源社会保障局", "人社局")),
    ("发展和改革委员会", ("发展改革委员会", "发展改革委", "发改委")),
    ("住房和城乡建设局", ("住房城乡建设局", "住建局")),
    ("工业和信息化局", ("工业信息化局", "工信局")),
    ("自然资源和规划局", ("自然资源规划局", "自规局")),
    ("卫生健康委员会", ("卫生健康委", "卫健委")),
    ("市场监督管理局", ("市场监管局",)),
    ("退役军人事务局", ("退役军人局",)),
    ("人民政府办公室", ("政府办公室", "政府办")),
    ("行政审批服务局", ("行政审批局",)),
    ("发展和改革局", ("发展改革局", "发改局")),
    ("综合行政执法局", ("综合执法局",)),
    ("文化和旅游局", ("文化旅游局", "文旅局")),
    ("教育和体育局", ("教育体育局", "教体局")),
    ("科学技术局", ("科技局",)),
    ("交通运输局", ("交通局",)),
    ("应急管理局", ("应急局",)),
    ("医疗保障局", ("医保局",)),
    ("人民政府", ("政府",)),
)
#: Separates the parts of ``Body.key`` (no agency name or place name holds it).
KEY_SEPARATOR = "|"
#: The SQL function ``body_key`` is registered as on every archive connection (the triggers of
#: ``report_bodies`` call it).
BODY_FUNCTION = "nianbao_body_key"


def _compact(name: str) -> str:
    """The name without white space (PDF text breaks names across lines)."""
    return "".join(name.split())


#: Each form (full or short) → its type's full form and short forms.
_FORMS = {form: (full, shorts) for full, shorts in ABBREVIATIONS for form in (full, *shorts)}
#: The longest form a name ends with: the leftmost match of a form anchored at the end (人民政府 before 政府).
_TYPE = re.compile("(?:" + "|".join(sorted(map(re.escape, _FORMS), key=len, reverse=True)) + ")$")


def _split(name: str) -> tuple[str, str, tuple[str, ...]]:
    """The name as (what comes before its type, its type in full, the type's short forms); the type is
    empty when the name ends in no type of the table."""
    match = _TYPE.search(name)
    if match is None:
        return name, "", ()
    full, shorts = _FORMS[match.group()]
    return name[: match.start()], full, shorts


def full_name(name: str) -> str:
    """The name with its type of body in full: ``full_name("聊城市科技局") == "聊城市科学技术局"``."""
    stem, full, _ = _split(_compact(name))
    return stem + full


def spellings(name: str) -> list[str]:
    """Every way a title prints this name's type of body, the full form first:
    ``spellings("聊城市科技局") == ["聊城市科学技术局", "聊城市科技局"]``. For an SQL filter
    (``agency IN (…)``) that finds a body under any of its names (the places before the type as given)."""
    stem, full, shorts = _split(_compact(name))
    return [stem + form for form in (full, *shorts)] if full else [stem]


@dataclass(frozen=True)
class Body:
    """One body: its full name (places above its own region left out) and its region as the archive
    records it (``browse.province``, ``city``, ``county``; None where a report names none)."""

    name: str
    province: str | None = None
    city: str | None = None
    county: str | None = None

    @classmethod
    def of(cls, agency: str, province: str | None, city: str | None, county: str | None) -> Body:
        """The body of a report whose agency and region are these (a browse row's columns)."""
        return _body(agency, province, city, county)

    @property
    def key(self) -> str:
        """One string naming the body (URLs, facets): ``山东省|聊城市||聊城市科学技术局``."""
        return KEY_SEPARATOR.join([self.province or "", self.city or "", self.county or "", self.name])

    @classmethod
    def from_key(cls, key: str) -> Body:
        """The body a ``key`` names, read as a report's agency and region are (a short name in a URL is
        its body); ValueError for anything else."""
        body = cls.stored(key)
        return cls.of(body.name, body.province, body.city, body.county)

    @classmethod
    def stored(cls, key: str) -> Body:
        """The body of a key as the archive stores it (``report_bodies.body``, already a ``Body.key``): split,
        not read again; ValueError for anything that is not a key."""
        parts = key.split(KEY_SEPARATOR)
        if len(parts) != 4 or not parts[3].strip():
            raise ValueError(f"not an agency key (province|city|county|name): {key!r}")
        province, city, county, name = (part.strip() or None for part in parts)
        assert name is not None
        return cls(name, province, city, county)

    @property
    def region(self) -> str:
        """The region as one label (山东省聊城市), empty when unknown."""
        return "".join(part for part in (self.province, self.city, self.county) if part)


def body_key(agency: str | None, province: str | None, city: str | None, county: str | None) -> str | None:
    """``nianbao_body_key(agency, province, city, county)``: the ``Body.key`` of a report whose agency and
    region are these; None when it names no agency."""
    if agency is None or not agency.strip():
        return None
    return Body.of(agency, province, city, county).key


@functools.lru_cache(maxsize=1 << 12)  # a crawl writes an agency's reports of several years close together
def _body(agency: str, province: str | None, city: str | None, county: str | None) -> Body:
    return Body(_without_places_above(full_name(agency), province, city, county), province, city, county)


def _without_places_above(name: str, province: str | None, city: str | None, county: str | None) -> str:
    """``name`` without the places above the body's own level in front (山东省聊城市科学技术局 → 聊城市科学技术局,
    淄博市博山区科学技术局 → 博山区科学技术局): what is left must still begin with a place of the region."""
    places = [part for part in (province, city, county) if part]
    for index, place in enumerate(places[:-1]):
        rest = name.removeprefix(place)
        if rest != name and any(rest.startswith(lower) for lower in places[index + 1 :]):
            name = rest
    return name

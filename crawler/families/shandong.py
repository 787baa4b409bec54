"""Shandong intensive platform (山东省政府网站集约化平台): articles ``…/channel_<id>/doc_<24 hex>.html``.

Seen on real pages (tests/families/shandong/README.md lists each with its address):

* City bureaus of 聊城 on their own hosts: ``slj.liaocheng.gov.cn/channel_l_ssljchannel<digits>/doc_<id>.html``
  (a list channel ``channel_l_…``; ``channel_lc_…`` is a channel rendering one document); the city
  portal ``www.liaocheng.gov.cn/channel_<24 hex>/doc_<id>.html``; attachments ``/resources/public/<YYYYMMDD>/…``.
* 淄博 districts under ``/gongkai/``: ``www.boshan.gov.cn/gongkai/channel_c11506/doc_<id>.html``, department
  sub-sites ``/gongkai/site_<dept>/channel_c_<24 hex>_n_<unix time>/doc_<id>.html`` (博山区科学技术局's 2025
  report: ``site_bsqkxjsj/channel_c_5f9f6c5c03741cded2c00edd_n_1605681990.108/doc_69781869….html``), with
  a metadata table 标题 / 索引号 / 文号 / 发文日期 / 发布机构; attachments beside the article,
  ``…/channel_<id>/doc_<article id>_<32 hex>.pdf`` (ws.zibo.gov.cn).
* 济南 districts: ``/gongkai/channel_<24 hex>/`` lists and ``/gongkai/site_<dept>/channel_<…>/doc_<id>.html``.

Document ids are MongoDB ObjectIds: their first 8 hex digits are the publication time (slj's
``doc_697b014a…`` is 2026-01-29, the date its page prints).

Not seen on any public page or crawler (so read tolerantly and reported when absent): how a channel
list pages. Public reachability notes (rnd city-config survey) call the lists of www.liaocheng.gov.cn
(``channel_…?open=``) and www.zibo.gov.cn (``/gongkai/channel_c*/``) script-rendered. This family reads a
channel page's ``doc_`` links, follows the channel's own ``?page=N`` links and takes ``共 N 条`` as the
declared size; a channel page without a single article link (its list rendered by script, or its markup
changed) is a recorded problem, never a silent empty list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

import lxml.html

from crawler import pages
from crawler.families.base import Family, Follow, Listing
from parsers.document import Link

#: An article: a 24-hex document id in a channel folder (any channel id: c11506, l_s…channel…, c_<hex>_n_<t>).
ARTICLE = re.compile(r"/channel_[^/]+/doc_[0-9a-f]{24}\.html$")
#: The channel part of a path: ``/gongkai/site_bsqkxjsj/channel_c_…`` (list pages, articles and files below it).
_CHANNEL = re.compile(r"^.*?/channel_[^/?#]+")
#: The list's own size as its pager prints it ("共 18 条").
_TOTAL = re.compile(r"共\s*(\d+)\s*条")
NOTHING_MATCHED = "channel list matched nothing: no channel_<id>/doc_<24 hex>.html link on the page"


def channel_path(path: str) -> str | None:
    """The channel a path belongs to (``/gongkai/channel_c11506``), None outside any channel."""
    match = _CHANNEL.match(path)
    return match.group(0) if match else None


def page_number(query: str) -> int | None:
    """The ``page=N`` of a channel page's query (None when it names no page)."""
    values = parse_qs(query).get("page", [])
    return int(values[0]) if values and values[0].isdigit() else None


class Shandong(Family):
    name = "shandong"
    label = "Shandong intensive platform 山东省政府网站集约化平台 (channel_<id>/doc_<24 hex>.html)"
    source = (
        "slj.liaocheng.gov.cn/channel_l_ssljchannel201911221748522677536714/doc_697b014af0c8fadb14621054.html; "
        "www.boshan.gov.cn/gongkai/site_bsqkxjsj/channel_c_5f9f6c5c03741cded2c00edd_n_1605681990.108/"
        "doc_69781869d5d7dd1d65e0489e.html (stored pages); ws.zibo.gov.cn attachment doc_<id>_<32 hex>.pdf and "
        "jinan district /gongkai/channel_<24 hex>/ (public code); list paging unverified"
    )
    article = ARTICLE
    markers = (
        (
            re.compile(r"""href=["'][^"']*/channel_[^"'/]+/doc_[0-9a-f]{24}\.html"""),
            "links to channel_<id>/doc_<24 hex>.html articles",
        ),
        (
            re.compile(r"/gongkai/(?:site_[\w-]+/)?channel_"),
            "channels under /gongkai/ (淄博/济南 portals; department sub-sites /gongkai/site_<dept>/)",
        ),
        (re.compile(r"/channel_lc?_s[a-z]+channel\d{14}"), "聊城 channel id channel_l_s<site>channel<time>"),
        (re.compile(r"/resources/public/\d{8}/"), "attachment under /resources/public/<date>/"),
    )

    def clues(self, html: str, url: str) -> list[str]:
        found = super().clues(html, url)
        path = urlsplit(url).path
        if not self.is_article(url) and channel_path(path) == path.rstrip("/"):
            found.append("URL is a channel_<id> list of the shandong shape")
        return found

    def read(self, kind: str, text: str, url: str, context: Mapping[str, str]) -> Listing:
        """A channel page: its article links, its further pages, its declared size, what is missing."""
        tree = pages.parse(text)
        links = pages.links(tree, url)
        found = [link for link in links if self.is_article(link.url) or pages.is_report_title(link.text)]
        items = list({link.url: link for link in found}.values())
        follow, problems = _pager(links, url)
        follow += [Follow(sub, same_column=False) for sub in _sub_channels(tree, url, items)]
        if not items and not follow:
            problems.insert(0, NOTHING_MATCHED)
        total = _TOTAL.search(pages.visible_text(tree))
        return Listing(items=items, follow=follow, declared=int(total.group(1)) if total else None, problems=problems)


def _sub_channels(tree: lxml.html.HtmlElement, url: str, items: list[Link]) -> list[str]:
    """Report columns below this page (the shared rule), except the channel's own pages: a breadcrumb
    link back to page 1 is no sub-column."""
    own = channel_path(urlsplit(url).path)
    subs = pages.sub_listings(tree, url, {item.url for item in items})
    return [sub for sub in subs if own is None or channel_path(urlsplit(sub).path) != own]


def _pager(links: list[Link], url: str) -> tuple[list[Follow], list[str]]:
    """The channel's own later pages (``?page=N``, N ≥ 2: page 1 is the channel itself); a page link
    of this channel on another host is not followed but reported (once per host): the list is read in part."""
    here = urlsplit(url)
    channel = channel_path(here.path)
    follow: list[Follow] = []
    problems: list[str] = []
    for link in links:
        parts = urlsplit(link.url)
        number = page_number(parts.query)
        if channel is None or number is None or number < 2 or channel_path(parts.path) != channel:
            continue
        if parts.netloc != here.netloc:
            problem = f"pager points off-site: {parts.netloc}"
            if problem not in problems:
                problems.append(problem)
        elif link.url != url and all(link.url != f.url for f in follow):
            follow.append(Follow(link.url))
    return follow, problems


FAMILY = Shandong()

"""`nianbao serve` end to end: a real Datasette on loopback over an archive built by `nianbao import`
of the seeds and their PDF/DOCX/DOC/HTML fixtures, and of the replica's agency with three years of reports
(its report pages and DOCX: replica/sites/liaocheng_rsj.py), driven by a real headless Chromium
(Selenium with Debian's chromium-driver), and its JSON API read the same way a script would. The charts
(datasette-dashboards) and the compare page are read from what Chromium draws: the charts' SVG marks
(their labels carry their values) and the compare table's cells.

Screenshots of the report page, the charts and the compare page are kept in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from cli.main import cli
from replica.sites import liaocheng_rsj
from tests.conftest import FIXTURES, RENDERED, SEED_FILES, SEEDS
from tests.test_compare_page import write_replica_reports

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: A report whose title and text are HTML: the pages must show it, never run it.
HOSTILE = "<script>alert(1)</script>测试局2020年政府信息公开工作年度报告\n\n一、总体情况\n本机关全年公开<b>十</b>条。\n"
WAIT = 20  # seconds, for anything the browser or the server does


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    hostile = folder / "hostile.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    path = folder / "nianbao.db"
    replica = [str(file) for file in write_replica_reports(folder / "rsj")]
    result = CliRunner().invoke(
        cli,
        ["--db", str(path), "import", str(SEEDS), str(FIXTURES / "extraction"), str(RENDERED), str(hostile), *replica],
    )
    assert result.exit_code == 1, result.output  # exactly one fixture fails: the password-protected PDF
    assert result.output.count("failed ") == 1 and "password-protected" in result.output
    return path


def _read_url(process: subprocess.Popen[str]) -> str:
    """The URL `nianbao serve` prints once it listens (bounded wait)."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline() if process.stdout else ""))
    reader.start()
    reader.join(WAIT)
    assert lines and "http://" in lines[0], f"nianbao serve printed no URL: {lines}"
    return lines[0].split(" at ")[1].split()[0].rstrip("/")


@pytest.fixture(scope="module")
def base_url(archive: Path) -> Iterator[str]:
    command = [sys.executable, "-m", "cli", "--db", str(archive), "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
    try:
        url = _read_url(process)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/versions.json", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "Datasette did not answer"
                time.sleep(0.2)
        yield f"{url}/nianbao"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2400",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        return json.load(response)


def _rows(browser: WebDriver) -> list[str]:
    """The text of each row of the Datasette table on the page."""
    return [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")]


def _open_report(browser: WebDriver, base_url: str, place: str) -> None:
    """From the list of reports, click the title of the report of ``place`` (聊城, 博山…)."""
    browser.get(f"{base_url}/browse")
    table = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns")  # not the facets' links
    table.find_element(By.PARTIAL_LINK_TEXT, place).click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("/-/report/"))


def test_search_box_finds_every_seed_report(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/browse")
    box = browser.find_element(By.CSS_SELECTOR, "input[name=_search]")
    box.send_keys("复议")
    box.submit()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("_search="))
    rows = _rows(browser)
    assert len(rows) == len(SEED_FILES) + len(liaocheng_rsj.YEARS)  # the replica agency's tables say 复议
    seeds = [row for row in rows if liaocheng_rsj.AGENCY not in row]
    for place in SEED_FILES:
        assert sum(place in row for row in seeds) == 1, place


def test_year_facet(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/browse")
    facet = browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="year"]')
    facet.find_element(By.LINK_TEXT, "2023").click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("year=2023"))
    rows = _rows(browser)
    assert len(rows) == 3
    assert any("博山" in row for row in rows) and any("威海" in row for row in rows)
    assert any(liaocheng_rsj.title(2023) in row for row in rows)


def test_report_page_reads_table_three(browser: WebDriver, base_url: str) -> None:
    _open_report(browser, base_url, "聊城市科学技术局")
    table = browser.find_element(By.CSS_SELECTOR, 'table[data-table="三"]')
    header = table.find_element(By.TAG_NAME, "thead").text
    assert "自然人" in header and "法人或其他组织" in header and "总计" in header
    row = next(tr for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr") if "本年新收" in tr.text)
    assert row.find_element(By.CSS_SELECTOR, 'td[data-column="自然人"]').text == "1"
    assert browser.find_element(By.LINK_TEXT, "下载 download").get_attribute("href")
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "report-page.png"))


def test_failed_check_is_highlighted(browser: WebDriver, base_url: str) -> None:
    _open_report(browser, base_url, "博山")
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-check="signed_date.after_period"]')
    assert "fail" in (row.get_attribute("class") or "")
    assert row.find_element(By.CSS_SELECTOR, "td.left").text == "2023-01-17"
    assert row.find_element(By.CSS_SELECTOR, "td.right").text == "after 2023-12-31"
    left = row.find_element(By.CSS_SELECTOR, "td.left")
    assert left.value_of_css_property("background-color") == "rgba(255, 221, 221, 1)"  # #fdd: highlighted
    signed = browser.find_element(By.XPATH, "//dt[contains(., '成文日期')]/following-sibling::dd[1]")
    assert signed.text == "2023-01-17" and "failed" in (signed.get_attribute("class") or "")
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "report-page-failed-check.png"))


def test_hostile_html_is_shown_not_run(browser: WebDriver, base_url: str) -> None:
    _open_report(browser, base_url, "测试局")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("<script>alert(1)</script>")
    assert "<script>alert(1)" not in browser.page_source  # escaped in the page source


def test_json_api_agrees(base_url: str) -> None:
    search = _get_json(f"{base_url}/browse.json?_shape=array&_search={urllib.parse.quote('复议')}")
    assert len(search) == len(SEED_FILES) + len(liaocheng_rsj.YEARS)
    on_reports = _get_json(f"{base_url}/reports.json?_shape=array&_search={urllib.parse.quote('复议')}")
    assert sorted(row["id"] for row in on_reports) == sorted(row["id"] for row in search)
    ranked = _get_json(f"{base_url}/search.json?_shape=array&q={urllib.parse.quote('复议')}")
    assert sorted(row["report_id"] for row in ranked) == sorted(row["id"] for row in search)
    assert all("复议" in row["snippet"] for row in ranked)
    year = _get_json(f"{base_url}/browse.json?_shape=array&year=2023")
    assert len(year) == 3
    liaocheng = next(row for row in search if "聊城市科学技术局" in row["title"])
    report = _get_json(f"{base_url.rsplit('/', 1)[0]}/-/report/{liaocheng['id']}.json")
    assert report["record"]["applications"]["new_received"][0] == 1
    failing = _get_json(f"{base_url}/failed_checks.json?_shape=array&check=signed_date.after_period")
    assert [row["agency"] for row in failing] == ["博山区科学技术局"]
    with urllib.request.urlopen(f"{base_url}/browse.csv?year=2023", timeout=WAIT) as response:
        assert response.read().decode("utf-8").count("\n") == 4  # header and three reports


def test_original_files_download_and_html_never_renders(base_url: str) -> None:
    documents = _get_json(f"{base_url}/documents.json?_shape=array&media_type=text/html&_col=id")
    assert documents
    root = base_url.rsplit("/", 1)[0]
    with urllib.request.urlopen(f"{root}/-/file/{documents[0]['id']}", timeout=WAIT) as response:
        assert response.headers["content-disposition"].startswith("attachment;")
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.read().startswith(b"<")


@pytest.mark.parametrize("sql", ["DELETE FROM reports", "UPDATE documents SET year = 1", "PRAGMA query_only = 0"])
def test_sql_endpoint_cannot_write(base_url: str, sql: str) -> None:
    url = f"{base_url}.json?sql={urllib.parse.quote(sql)}"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url, timeout=WAIT)
    assert error.value.code == 400
    count = _get_json(f"{base_url}.json?_shape=array&sql={urllib.parse.quote('SELECT count(*) AS n FROM reports')}")
    assert count == [{"n": 7 + len(liaocheng_rsj.YEARS)}]


# -- for people who never write SQL (issue 13 item 3) ----------------------------------------------------------


def _origin(base_url: str) -> str:
    return base_url.rsplit("/", 1)[0]


def test_browse_row_has_one_report_id_that_opens_its_report(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/browse?_sort=id")
    headers = [th.get_attribute("data-column") for th in browser.find_elements(By.CSS_SELECTOR, "table thead th")]
    assert headers[:2] == ["id", "title"] and not {"rowid", "Link", "document_id"} & set(headers)
    first = browser.find_element(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    link = first.find_element(By.CSS_SELECTOR, "td.col-id a")
    title = first.find_element(By.CSS_SELECTOR, "td.col-title").text
    assert link.text == "1" and link.get_attribute("href") == f"{_origin(base_url)}/-/report/1"
    link.click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("/-/report/1"))
    assert browser.find_element(By.TAG_NAME, "h1").text == title


def test_search_query_shows_no_sql_and_relevance_in_percent(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/search?q={urllib.parse.quote('复议')}")
    assert not browser.find_elements(By.CSS_SELECTOR, "textarea")  # hide_sql: a form, no SQL editor
    assert "SELECT" not in browser.find_element(By.TAG_NAME, "body").text and "SELECT" not in browser.title
    relevance = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "td.col-relevance")]
    assert relevance[0] == "100%" and all(re.fullmatch(r"\d{1,3}%", value) for value in relevance)


def test_csv_for_excel_link_downloads_utf8_with_a_bom(browser: WebDriver, base_url: str) -> None:
    browser.get(f"{base_url}/browse?year=2022")
    link = browser.find_element(By.CSS_SELECTOR, "p.export-links a.nianbao-excel-csv")
    href = link.get_attribute("href")
    assert href is not None
    with urllib.request.urlopen(href, timeout=WAIT) as response:
        body = response.read()
        assert response.headers["content-disposition"].startswith("attachment")
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3 and any("聊城市科学技术局" in line for line in lines)  # 2022: 聊城, 周口, 人社局


#: One mark of a chart, as Vega-Lite labels it: "年度 year: 2021; 申请 applications: 22; measure: 予以公开 granted".
MARK = re.compile(r"年度 year: (\d+); 申请 applications: ([\d,]+); measure: (.+)")


def _marks(browser: WebDriver, chart: str) -> list[str]:
    """The labels of a chart's bars, once Vega has drawn them (SVG: each mark labelled with its values)."""
    selector = f"#chart-{chart} svg [aria-roledescription='bar']"
    WebDriverWait(browser, WAIT).until(lambda driver: driver.find_elements(By.CSS_SELECTOR, selector))
    return [mark.get_attribute("aria-label") or "" for mark in browser.find_elements(By.CSS_SELECTOR, selector)]


def _by_year(labels: list[str]) -> dict[tuple[int, str], int]:
    found = [MARK.fullmatch(label) for label in labels]
    assert all(found), labels
    return {(int(m.group(1)), m.group(3)): int(m.group(2).replace(",", "")) for m in found if m}


def test_charts_draw_the_archive_numbers_offline(browser: WebDriver, base_url: str) -> None:
    """Applications by year, failed checks by province and one agency's series (asked by its short name),
    read from the drawn SVG and compared with the archive; every file the page loads is served here."""
    browser.get(f"{_origin(base_url)}/-/dashboards/charts?agency={urllib.parse.quote('聊城市人社局')}")
    typed = browser.find_element(By.ID, "agency")  # a text box: a list of every agency would be 90,000 at 100k
    assert (typed.tag_name, typed.get_attribute("type"), typed.get_attribute("value")) == (
        "input",
        "text",
        "聊城市人社局",
    )
    rows = _get_json(f"{base_url}/browse.json?_shape=array&_size=max")
    expected: dict[tuple[int, str], int] = {}
    for row in rows:
        for column, measure in (("new_received", "本年新收 received"), ("granted", "予以公开 granted")):
            if row["year"] is not None and row[column] is not None:
                expected[(row["year"], measure)] = expected.get((row["year"], measure), 0) + row[column]
    assert _by_year(_marks(browser, "applications")) == expected
    series = liaocheng_rsj.records()
    drawn = _by_year(_marks(browser, "agency-series"))
    assert {year: drawn[(year, "上年结转 carried in")] for year in series} == {
        year: tables["applications"]["carried_over_in"][6] for year, tables in series.items()
    }
    assert drawn[(2023, "本年新收 received")] == series[2023]["applications"]["new_received"][6]
    failing = {
        f"省 province: {row['province']}; 报告 reports: 1; 检查 check: {name}"
        for row in rows
        if row["check_status"] == "fail"
        for name in json.loads(row["failed_checks"])
    }
    assert set(_marks(browser, "failed-checks")) == failing  # 博山's signed date, 人社局 2023's carry-over
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.startswith(_origin(base_url)) for url in loaded), loaded  # no CDN: works offline
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "charts.png"))


def test_compare_page_from_a_report_page(browser: WebDriver, base_url: str) -> None:
    """From a report, its agency's years side by side: values, changes, the cell a cross-year check names."""
    _open_report(browser, base_url, liaocheng_rsj.title(2023))
    browser.find_element(By.CSS_SELECTOR, "a.compare-link").click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("/-/compare"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(liaocheng_rsj.AGENCY)
    series = liaocheng_rsj.records()
    table = browser.find_element(By.CSS_SELECTOR, 'table.compare[data-table="三"]')
    received = table.find_element(By.CSS_SELECTOR, 'tr[data-key="applications.new_received[6]"]')
    values = [int(td.text) for td in received.find_elements(By.CSS_SELECTOR, "td.value")]
    assert values == [series[year]["applications"]["new_received"][6] for year in liaocheng_rsj.YEARS]
    changes = [td.text for td in received.find_elements(By.CSS_SELECTOR, "td.change")]
    assert changes == [f"{'+' if b > a else '−' if b < a else ''}{abs(b - a)}" for a, b in itertools.pairwise(values)]
    carried = table.find_element(By.CSS_SELECTOR, 'tr[data-key="applications.carried_over_in[6]"]')
    slipped = carried.find_element(By.CSS_SELECTOR, 'td.value[data-year="2023"]')
    assert "failed" in (slipped.get_attribute("class") or "")
    assert slipped.value_of_css_property("background-color") == "rgba(255, 221, 221, 1)"  # #fdd: highlighted
    check = browser.find_element(By.CSS_SELECTOR, 'tr[data-check="cross_year.carry_over"]')
    statuses = [td.get_attribute("data-status") for td in check.find_elements(By.CSS_SELECTOR, "td.status")]
    assert statuses == ["none", "pass", "fail"]
    assert "carried_over_in[自然人]" in check.find_element(By.CSS_SELECTOR, 'td[data-year="2023"]').text
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "compare-page.png"))
    browser.find_element(By.LINK_TEXT, "自然人").click()  # another applicant column of table 三
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("column="))
    natural = browser.find_element(By.CSS_SELECTOR, 'tr[data-key="applications.new_received[0]"]')
    assert [int(td.text) for td in natural.find_elements(By.CSS_SELECTOR, "td.value")] == [
        series[year]["applications"]["new_received"][0] for year in liaocheng_rsj.YEARS
    ]

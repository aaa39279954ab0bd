"""The HTML report: thumbnails and marks, escaping, size, and a real headless Chromium.

The browser tests drive Debian's ``chromium`` (``/usr/bin/chromium``) through Playwright's Python
package; ``.ci/run`` installs both. Screenshots are written under the test's tmp dir.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from helpers import Workspace, make_image, write_csv
from shelfcheck.api import prepare
from shelfcheck.i18n import catalogue
from shelfcheck.findings import Finding, Severity
from shelfcheck.reporters.html import THUMB_PX, Thumbnails, _figures, make_thumbnail
from optional import unavailable
from test_reporters_support import AS_OF, ROOT, example_run, make_example_images, render

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


# --------------------------------------------------------------------------------------------
# Without a browser
# --------------------------------------------------------------------------------------------


def test_thumbnail_is_small_whatever_the_original(tmp_path: Path) -> None:
    big = make_image(tmp_path / "big.png", size=(3000, 2000), fmt="PNG")
    jpeg = make_image(tmp_path / "big.jpg", size=(4000, 4000), quality=98)
    for path, size in ((big, (3000, 2000)), (jpeg, (4000, 4000))):
        data, width, height = make_thumbnail(path)
        assert (width, height) == size
        with Image.open(io.BytesIO(data)) as small:
            assert small.format == "JPEG" and max(small.size) == THUMB_PX
        assert len(data) < 20_000 < path.stat().st_size


def test_thumbnails_are_made_once_per_file(tmp_path: Path) -> None:
    make_image(tmp_path / "a.jpg")
    spool = io.StringIO()
    thumbs = Thumbnails(tmp_path, spool)
    first, again = thumbs.get("a.jpg"), thumbs.get("./a.jpg")
    assert first.css == again.css == "t1"
    assert spool.getvalue().count("background-image") == 1
    assert thumbs.get("missing.jpg").problem == "rpt_image_missing"
    assert thumbs.get("https://example.com/a.jpg").problem == "rpt_image_remote"
    (tmp_path / "bad.jpg").write_bytes(b"not an image at all")
    assert thumbs.get("bad.jpg").problem == "rpt_image_unreadable"
    assert spool.getvalue().count("background-image") == 1


def _catalogue(ws: Workspace) -> Path:
    """Listings that exercise every kind of image mark, an escaping trap and a clean listing."""
    bottom = ws.image(name="img/grey-table.jpg", band=("bottom", (150, 150, 150), 0.02))
    portrait = ws.image(name="img/portrait.jpg", size=(1080, 1350))
    small = ws.image(name="img/small.jpg", size=(800, 800))
    huge = ws.image(name="img/huge.png", size=(2600, 2600), fmt="PNG", product=None,
                    background=(255, 255, 255))
    # make the PNG incompressible so it exceeds 5 MB
    noise = Image.frombytes("RGB", (1400, 1400), bytes(__import__("os").urandom(1400 * 1400 * 3)))
    noise.save(ws.root / huge)
    rows = [
        ws.listing(seller_sku="OK-1"),
        ws.listing(seller_sku="BG-1", category="Home Supplies > Storage & Organisation",
                   main_images=f"{bottom}|{ws.clean_images(2)}"),
        ws.listing(seller_sku="SIZE-1", category="Kitchenware > Drinkware",
                   main_images=f"{portrait}|{small}|img/missing.jpg"),
        ws.listing(seller_sku="<script>alert(1)</script>", title="Short", category=""),
        ws.listing(seller_sku="HUGE-1", main_images=f"{huge}|{ws.clean_images(2)}"),
    ]
    return write_csv(ws.root / "catalog.csv", rows)


def _html(path: Path, lang: str = "en") -> str:
    return render("html", prepare(path, as_of=AS_OF, jobs=1), lang)[0].decode("utf-8")


def _figure(html: str, ref: str) -> str:
    """The ``<figure>`` of an image, its geometry classes written out as their CSS declarations."""
    start = html.index(f'aria-label="{ref}')
    figure = html[html.rindex("<figure", 0, start): html.index("</figure>", start)]
    rules = dict(re.findall(r"\.(g\d+)\{([^}]*)\}", html))
    return re.sub(r"\b(g\d+)\b", lambda m: rules[m.group(1)], figure)


def test_html_marks_bands_and_dimensions(ws: Workspace) -> None:
    html = _html(_catalogue(ws))
    grey = _figure(html, "img/grey-table.jpg")
    assert "band-bottom" in grey and "band-top" not in grey and "band-left" not in grey
    size = float(re.search(r"band-bottom --s:([0-9.]+)%", grey).group(1))
    assert size == pytest.approx(100 * 22 / 1080, abs=0.01)  # a 2 % band of 1080 px = 22 px
    assert "bottom border:" in grey
    portrait = _figure(html, "img/portrait.jpg")
    assert "hatched" in portrait and "1080 × 1350 px" in portrait and "not square" in portrait
    assert "width:80%" in portrait and "left:10%" in portrait  # 1080/1350 of the square frame
    small = _figure(html, "img/small.jpg")
    assert "--d:100%" in small and "width:74.074%" in small  # the 1080 minimum around 800 px
    assert "File not found" in _figure(html, "img/missing.jpg")


def test_html_draws_no_figure_for_urls(tmp_path: Path) -> None:
    thumbs = Thumbnails(tmp_path, io.StringIO())
    make_image(tmp_path / "a.jpg", size=(800, 800))
    local = Finding("image_wrong_size", Severity.ERROR, "main_images[0]",
                    {"ref": "a.jpg", "width": 800, "height": 800, "min_side": 1080, "max_side": 4000,
                     "problems": ["image_side_too_small"]}, {})
    remote = Finding("image_not_found", Severity.ERROR, "main_images[1]",
                     {"ref": "https://cdn.example.com/x.jpg", "reason": "image_remote_not_fetched"}, {})
    figures = _figures([local, remote], thumbs, catalogue("en"))
    assert [f["ref"] for f in figures] == ["a.jpg"]
    assert figures[0]["css"] == "t1" and figures[0]["dashed"] == "100%"


def test_html_is_escaped_self_contained_and_small(ws: Workspace) -> None:
    path = _catalogue(ws)
    assert (ws.root / "img/huge.png").stat().st_size > 5 * 1024 * 1024
    html = _html(path)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(html.encode("utf-8")) < 150_000, "thumbnails, never the originals"
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert "Content-Security-Policy" in html
    uris = re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", html)
    assert len(uris) == len(set(uris)) >= 4, "one embedded thumbnail per image file"
    for uri in uris:
        assert len(uri) < 30_000


def test_html_lists_every_finding_of_the_json_report(ws: Workspace) -> None:
    path = _catalogue(ws)
    report = json.loads(render("json", prepare(path, as_of=AS_OF, jobs=1))[0])
    html = _html(path)
    import html as html_lib

    text = html_lib.unescape(html)
    for listing in report["listings"]:
        for f in listing["findings"]:
            assert f["message"] in text and f["fix"] in text
    assert html.count('<article class="card') == len(report["listings"])


def test_html_in_chinese(ws: Workspace) -> None:
    html = _html(_catalogue(ws), "zh")
    assert '<html lang="zh-CN">' in html
    for phrase in ("只看错误", "全部代码", "按问题代码统计", "下边：白色占", "找不到文件"):
        assert phrase in html


# --------------------------------------------------------------------------------------------
# In Chromium
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} not found: the browser tests need Debian's chromium "
                    "(apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, offline=True)
        try:
            yield context
        finally:
            context.close()


class Page:
    """A loaded report page, with what it logged and every request it tried."""

    def __init__(self, context: Any, path: Path) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri(), wait_until="load")

    def visible_cards(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "#cards article.card", "cs => cs.filter(c => c.offsetParent !== null)"
            ".map(c => c.querySelector('h3').textContent)")


def _write(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, "utf-8")
    return path


def test_browser_loads_the_example_and_filters_work(browser: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    make_example_images()
    monkeypatch.chdir(ROOT)
    html = render("html", example_run())[0].decode("utf-8")
    report = json.loads(render("json", example_run())[0])
    view = Page(browser, _write(tmp_path, "report.html", html))
    page = view.page
    assert view.problems == []
    assert [u for u in view.requests if not u.startswith(("file:", "data:"))] == []
    listings = report["listings"]
    title = lambda x: x["seller_sku"] or "(no SKU)"  # noqa: E731
    assert len(view.visible_cards()) == len(listings)
    # the page opens on the listings: the per-code table is folded away, cards start in view
    assert not page.is_visible("#by-code")
    first_card = page.eval_on_selector("#cards .card", "c => c.getBoundingClientRect().top")
    assert first_card < 900
    # errors only
    page.check("#f-errors")
    with_errors = [title(x) for x in listings if any(f["severity"] == "error" for f in x["findings"])]
    assert view.visible_cards() == with_errors
    assert page.eval_on_selector_all("tr.finding[data-sev=warning]",
                                     "rs => rs.filter(r => r.offsetParent !== null).length") == 0
    assert page.text_content("#shown") == f"Showing {len(with_errors)} of {len(listings)}"
    page.uncheck("#f-errors")
    # by code
    page.select_option("#f-code", "image_wrong_size")
    assert view.visible_cards() == [title(x) for x in listings
                                    if any(f["code"] == "image_wrong_size" for f in x["findings"])]
    # by category (top level)
    page.select_option("#f-code", "")
    page.select_option("#f-category", "Beauty & Personal Care")
    expected = [title(x) for x in listings if x["seller_sku"] and x["seller_sku"].startswith("BT-")]
    assert view.visible_cards() == expected and len(expected) >= 4
    # by SKU, then nothing matches
    page.select_option("#f-category", "")
    page.fill("#f-sku", "el-")
    assert view.visible_cards() == [title(x) for x in listings if "el-" in x["seller_sku"].lower()]
    assert len(view.visible_cards()) >= 7
    page.fill("#f-sku", "no such sku")
    assert view.visible_cards() == [] and page.is_visible("#nomatch")
    # reset, then a code in the summary table filters too
    page.click("#f-reset")
    assert len(view.visible_cards()) == len(listings)
    page.click("#by-code-box > summary")
    assert page.is_visible("#by-code")
    page.click("button.code[data-code='duplicate_sku']")
    assert page.input_value("#f-code") == "duplicate_sku"
    assert view.visible_cards() == ["HM-BOX-001"]
    page.click("#f-reset")
    assert view.problems == []
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        assert image.size[0] == 1280 and image.size[1] > 2000
    page.close()


def test_browser_draws_thumbnails_and_marks(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    view = Page(browser, _write(tmp_path, "marks.html", _html(_catalogue(ws))))
    page = view.page
    assert view.problems == []
    backgrounds = page.eval_on_selector_all(".pic", "ps => ps.map(p => getComputedStyle(p).backgroundImage)")
    assert backgrounds and all(b.startswith('url("data:image/jpeg;base64,') for b in backgrounds)
    frame = page.locator('.frame[aria-label="img/grey-table.jpg"]')
    frame.scroll_into_view_if_needed()
    shot = tmp_path / "grey-table.png"
    frame.screenshot(path=str(shot))
    with Image.open(shot) as image:
        pixels = image.convert("RGB")
    w, h = pixels.size
    top = pixels.getpixel((w // 2, 3))
    bottom = pixels.getpixel((w // 2, h - 3))
    middle = pixels.getpixel((w // 2, h // 2))
    assert min(top) > 235, f"the white top border stays white: {top}"
    assert bottom[0] > bottom[1] + 40 and bottom[0] > bottom[2] + 40, f"the grey bottom band is marked red: {bottom}"
    assert middle[2] > middle[0], f"the thumbnail itself is drawn (a blue product): {middle}"
    page.screenshot(path=str(tmp_path / "marks-page.png"), full_page=True)
    page.close()


def test_browser_chinese_page_has_no_errors(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    view = Page(browser, _write(tmp_path, "zh.html", _html(_catalogue(ws), "zh")))
    assert view.problems == []
    view.page.check("#f-errors")
    assert view.page.text_content("#shown").startswith("显示 ")
    assert set(view.visible_cards()) == {"BG-1", "SIZE-1", "<script>alert(1)</script>", "HUGE-1"}
    view.page.close()


# --------------------------------------------------------------------------------------------
# Content-Security-Policy
# --------------------------------------------------------------------------------------------


def _csp(html: str) -> dict[str, list[str]]:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta, "the page carries its policy"
    assert html.index(meta.group(0)) < html.index("<style"), "the policy comes before any style"
    return {d.split()[0]: d.split()[1:] for d in meta.group(1).split("; ")}


def test_html_policy_allows_only_the_pages_own_style_and_script(ws: Workspace) -> None:
    import base64
    import hashlib

    html = _html(_catalogue(ws))
    csp = _csp(html)
    assert csp["default-src"] == ["'none'"] and csp["img-src"] == ["data:"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'none'"]
    assert "'unsafe-inline'" not in html and "'unsafe-eval'" not in html

    def digest(body: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"

    styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(styles) == 2 and len(scripts) == 1  # the page's sheet, the thumbnails and geometry
    assert sorted(csp["style-src"]) == sorted(digest(b) for b in styles)
    assert csp["script-src"] == [digest(scripts[0])]
    assert not re.search(r"<[^>]+\s(style|on[a-z]+)=", html), "no inline style or handler attributes"


def test_html_policy_without_images_has_one_style_sheet(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "catalog.csv", [{"seller_sku": "A-1", "title": "Short"}])
    html = _html(path)
    assert len(_csp(html)["style-src"]) == 1 and html.count("<style>") == 1


def test_browser_blocks_what_a_failed_escape_would_inject(browser: Any, ws: Workspace,
                                                         tmp_path: Path) -> None:
    """Were a seller's value ever written unescaped, the policy still stops it running."""
    html = _html(_catalogue(ws))
    injected = ('<script>document.title = "pwned";</script>'
                '<img src="data:," onerror="document.title = \'pwned too\'">'
                '<style>body{background:rgb(255, 0, 0)}</style>'
                '<p id="inline" style="color: rgb(255, 0, 0)">x</p>')
    hostile = html.replace('<main id="cards">', '<main id="cards">' + injected, 1)
    view = Page(browser, _write(tmp_path, "injected.html", hostile))
    page = view.page
    assert page.title() != "pwned" and "pwned" not in page.title()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert page.evaluate("getComputedStyle(document.getElementById('inline')).color") != "rgb(255, 0, 0)"
    assert any("Content Security Policy" in p for p in view.problems), view.problems
    # the page's own script still runs
    page.check("#f-errors")
    assert set(view.visible_cards()) == {"BG-1", "SIZE-1", "<script>alert(1)</script>", "HUGE-1"}
    page.close()

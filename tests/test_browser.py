"""The front-desk page in a real browser: Debian's Chromium, headless, driven by Playwright, against `handouts serve`.

Skipped where Playwright, Chromium or axe-core is missing (the README's quick start), and failed
instead when HANDOUTS_REQUIRE_BROWSER=1 (CI, whose .ci/run installs them). Chromium is the
system's (HANDOUTS_CHROMIUM, default /usr/bin/chromium): Playwright never downloads a browser.
axe-core comes from the npm registry: HANDOUTS_AXE names its axe.min.js.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

CHROMIUM = Path(os.environ.get("HANDOUTS_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(os.environ.get("HANDOUTS_AXE", Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PATIENT = {"patient_name": "Thandiwe Okonkwo-Larsen", "dob": "03/02/1984", "mrn": "ZB-40417"}


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install '.[test]')"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set HANDOUTS_CHROMIUM)"
    if not AXE.is_file():
        return f"no axe-core at {AXE} (npm install axe-core, and set HANDOUTS_AXE to its axe.min.js)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("HANDOUTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HANDOUTS_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`handouts serve` on a free loopback port, as staff start it; its output kept to look for patient values."""
    from conftest import ROOT

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "handouts", "serve", "--port", str(port),
                                    "--content", str(ROOT / "content.yaml")], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"handouts serve stopped: {log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.1)
        yield {"url": url, "log": log}
    finally:
        process.terminate()
        process.wait(30)


@pytest.fixture()
def page(browser: Any, server: dict[str, Any]) -> Iterator[Any]:
    # bypass_csp: the page's policy allows only its own scripts; axe-core is injected by the test.
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    context.set_default_timeout(30_000)
    tab = context.new_page()
    tab.goto(server["url"])
    yield tab
    context.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _options(page: Any, select: str) -> list[str]:
    return page.eval_on_selector_all(f"{select} option", "options => options.map(o => o.value)")


def test_choices_follow_the_location_and_the_document(page: Any) -> None:
    page.select_option("#clinic", "binh-an")
    assert _options(page, "#treatment") == ["esketamine", "troche"]
    page.select_option("#clinic", "cedar-ridge")
    assert _options(page, "#treatment") == ["iv", "im"] and _options(page, "#lang") == ["en"]
    page.check("input[name=document][value=handout]")
    assert page.is_hidden("#treatment") and page.is_hidden("#patient_name")
    page.check("input[name=document][value=consent]")
    assert page.is_visible("#treatment") and page.is_visible("#patient_name")


def test_a_consent_for_a_patient_opens_as_a_pdf_ready_to_print(page: Any, server: dict[str, Any],
                                                               tmp_path: Path) -> None:
    pdfs: list[bytes] = []
    headers: list[dict[str, str]] = []

    def keep_pdf(route: Any) -> None:  # the bytes the browser receives, before its PDF viewer takes them
        response = route.fetch()
        if response.headers.get("content-type") == "application/pdf":
            pdfs.append(response.body())
            headers.append(response.headers)
        route.fulfill(response=response)

    page.context.route(server["url"], keep_pdf)  # the page itself: not the PDF viewer's own files
    page.select_option("#clinic", "harbor")
    page.check("input[name=document][value=consent]")
    page.select_option("#treatment", "esketamine")
    page.select_option("#lang", "es")
    for name, value in PATIENT.items():
        page.fill(f"#{name}", value)
    page.click("button[value=preview]")
    page.wait_for_selector("img.page")
    assert "Página 1" in page.inner_text(".preview") or "Page 1 of" in page.inner_text(".preview")
    assert page.url == server["url"]  # posted: no patient value in the address
    shot = tmp_path / "front-desk.png"
    page.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        assert image.width == 1280 and image.height > 1000
    with page.context.expect_page() as opened:
        page.click("button[value=pdf]")
    tab = opened.value
    tab.wait_for_load_state()
    assert len(pdfs) == 1 and PATIENT["patient_name"] not in tab.url
    reader = PdfReader(io.BytesIO(pdfs[0]))  # pypdf: not the library that wrote it
    fields = reader.get_fields() or {}
    assert fields["patient_name"].get("/V") == PATIENT["patient_name"]
    assert fields["patient_dob"].get("/V") == PATIENT["dob"]
    document = pdfium.PdfDocument(pdfs[0])
    try:
        first = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "Harbor Ketamine & Wellness" in first and "esketamina" in " ".join(first.split())
    assert headers[0]["content-disposition"] == 'inline; filename="consent-esketamine.es.pdf"'
    assert headers[0]["cache-control"] == "no-store"
    for value in PATIENT.values():  # the server printed and logged none of it
        assert value not in server["log"].read_text()


def test_keyboard_alone_reaches_every_field_with_a_visible_focus(page: Any) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "clinic"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    page.keyboard.press("Tab")  # into the document radios
    assert page.evaluate("document.activeElement.name") == "document"
    page.keyboard.press("ArrowDown")  # aftercare
    assert page.evaluate("document.querySelector('input[name=document]:checked').value") == "aftercare"
    reached = []
    for _ in range(8):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.value"))
    assert reached[:4] == ["treatment", "lang", "layout", "preview"], reached
    page.keyboard.press("Enter")  # the focused Preview button
    page.wait_for_selector("img.page")
    assert "Aftercare sheet" in page.inner_text(".preview")


def test_no_serious_accessibility_violations(page: Any) -> None:
    assert _axe(page) == []
    page.check("input[name=document][value=consent]")
    page.fill("#patient_name", "A")
    page.fill("#dob", "not a date")
    page.click("button[value=preview]")
    page.wait_for_selector("#dob-error")
    assert page.get_attribute("#dob", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "errors"  # the summary takes focus, then the fields
    assert _axe(page) == []
    page.fill("#dob", "1984-03-02")
    page.fill("#mrn", "A-1")
    page.click("button[value=preview]")
    page.wait_for_selector("img.page")
    assert _axe(page) == []

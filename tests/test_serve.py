"""The front-desk page (`handouts serve`): choices, checks, patient data, edits without a restart, parallel requests.

Most tests post to the Flask app in-process; the parallel test runs it under waitress, as
`handouts serve` does. Documents are made in real worker processes either way.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import CASES, ROOT, run
from handouts.api import Selection, make_document
from handouts.web.app import Settings, create_app
from handouts.web.render import Workers

PATIENT = {"patient_name": "Zelda Quintanilla-Oyelaran", "dob": "1961-07-14", "mrn": "QX-99117", "provider": "Dr. Ana Peña"}
ORIGIN = "http://localhost"


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    pool = Workers(2)
    yield pool
    pool.close()


@pytest.fixture()
def client(workspace: Path, workers: Workers) -> Any:
    return create_app(Settings(workspace / "content.yaml"), workers).test_client()


def token(client: Any) -> str:
    page = client.get("/")
    found = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def post(client: Any, headers: dict[str, str] | None = None, **fields: str) -> Any:
    form = {"csrf": token(client), "clinic": "harbor", "document": "handout", "treatment": "iv", "lang": "en",
            "layout": "standard", "action": "pdf", **fields}
    return client.post("/", data=form, headers={"Origin": ORIGIN, **(headers or {})})


def text_of(pdf: bytes) -> str:
    """The PDF's text as PDFium reads it, line breaks folded."""
    document = pdfium.PdfDocument(pdf)
    try:
        return " ".join(" ".join(page.get_textpage().get_text_range() for page in document).split())
    finally:
        document.close()


def field_beside(page: str, name: str) -> str:
    """The message shown beside a field (empty when there is none)."""
    found = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).replace("⚠", "").strip() if found else ""


def test_the_page_offers_only_what_a_location_offers(client: Any) -> None:
    page = client.get("/").get_data(as_text=True)
    assert re.findall(r'<option value="([a-z-]+)"', page)[:3] == ["harbor", "cedar-ridge", "binh-an"]
    for label in ("Patient handout", "Aftercare sheet", "Consent form", "Packet"):
        assert label in page
    chosen = post(client, clinic="cedar-ridge", action="choose").get_data(as_text=True)
    treatments = re.search(r'<select id="treatment".*?</select>', chosen, re.S).group(0)
    assert re.findall(r'value="([a-z]+)"', treatments) == ["iv", "im"]
    languages = re.search(r'<select id="lang".*?</select>', chosen, re.S).group(0)
    assert re.findall(r'option value="([a-z]+)"', languages) == ["en"]
    assert 'for="clinic"' in page and 'for="patient_name"' in page and "<legend>Document</legend>" in page


def test_a_choice_the_location_does_not_offer_is_named_beside_its_field(client: Any) -> None:
    response = post(client, clinic="cedar-ridge", document="aftercare", treatment="esketamine", lang="es")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert field_beside(page, "treatment") == ("Cedar Ridge Mental Health offers IV ketamine infusion, "
                                               "Ketamine injection (IM): choose one of them.")
    assert field_beside(page, "lang") == "Cedar Ridge Mental Health prints in English: choose one of them."
    assert 'aria-describedby="treatment-hint treatment-error" aria-invalid="true"' in page
    assert field_beside(post(client, clinic="nowhere").get_data(as_text=True), "clinic") == "Choose a location from the list."
    # A handout is the same whichever treatment: a treatment the clinic lacks is no error there.
    assert post(client, clinic="cedar-ridge", treatment="esketamine").mimetype == "application/pdf"


def test_patient_fields_are_checked_one_by_one_without_echoing_them_in_messages(client: Any) -> None:
    response = post(client, document="consent", patient_name="Rosa Díaz", dob="31/31/1999", mrn="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_beside(page, "dob") == "Not a date of birth (write it as 1984-03-02 or 03/02/1984)."
    assert field_beside(page, "mrn").startswith("Fill this in too")
    assert field_beside(page, "patient_name") == "" and field_beside(page, "provider") == ""
    summary = re.findall(r'<li><a href="#(\w+)">([^<]*)</a></li>', page)  # in the form's order, each named
    assert [(name, html.unescape(text).split(":")[0]) for name, text in summary] == [
        ("dob", "Date of birth"), ("mrn", "Medical record number (MRN)")]
    assert 'value="Rosa Díaz"' in page  # kept in its field to correct the others, never in a message
    assert "Rosa" not in re.sub(r'value="[^"]*"', "", page)


def test_a_consent_for_a_patient_is_an_inline_pdf_named_without_the_patient(client: Any) -> None:
    response = post(client, document="consent", treatment="esketamine", lang="es", **PATIENT)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="consent-esketamine.es.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    fields = PdfReader(io.BytesIO(response.data)).get_fields() or {}
    assert fields["patient_name"].get("/V") == PATIENT["patient_name"]
    assert fields["patient_mrn"].get("/V") == PATIENT["mrn"]
    assert "Harbor Ketamine & Wellness" in text_of(response.data) and "esketamina" in text_of(response.data)


def test_a_packet_and_an_aftercare_sheet_come_from_the_page(client: Any) -> None:
    packet = post(client, document="packet", treatment="esketamine", **PATIENT)
    reader = PdfReader(io.BytesIO(packet.data))
    assert [item.title for item in reader.outline if not isinstance(item, list)] == [
        "Ketamine Treatment: What to Know", "Consent for esketamine (Spravato) treatment",
        "After your esketamine (Spravato) treatment"]
    assert (reader.get_fields() or {})["consent.patient_name"].get("/V") == PATIENT["patient_name"]
    aftercare = post(client, clinic="binh-an", document="aftercare", treatment="troche", **PATIENT)
    assert aftercare.mimetype == "application/pdf" and "Bình An Ketamine Center" in text_of(aftercare.data)


def test_preview_shows_page_one_and_keeps_the_choices(client: Any) -> None:
    page = post(client, action="preview", clinic="binh-an", document="consent", treatment="troche", lang="es",
                **PATIENT).get_data(as_text=True)
    image = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="Page 1 of the consent form', page)
    assert image, page[:2000]
    png = Image.open(io.BytesIO(base64.b64decode(image.group(1))))
    assert png.size == (850, 1100)  # Letter at 100 dpi
    assert "Page 1 of 5" in page or "Page 1 of 6" in page
    assert '<option value="troche" selected>' in page and '<option value="es" lang="es" selected>' in page
    assert f'value="{PATIENT["mrn"]}"' in page


def test_a_post_needs_the_page_token_and_this_origin(client: Any) -> None:
    form = {"clinic": "harbor", "document": "consent", "treatment": "iv", "lang": "en", "layout": "standard",
            "action": "pdf", **PATIENT}
    missing = client.post("/", data=form, headers={"Origin": ORIGIN})
    assert missing.status_code == 400 and missing.mimetype == "text/html" and "had expired" in missing.get_data(as_text=True)
    assert PATIENT["patient_name"] not in missing.get_data(as_text=True)
    good = token(client)
    assert client.post("/", data={**form, "csrf": good + "x"}, headers={"Origin": ORIGIN}).status_code == 400
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Referer": "http://evil.example/x"},
                    {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"}):
        refused = client.post("/", data={**form, "csrf": good}, headers=headers)
        assert refused.status_code == 403 and refused.mimetype != "application/pdf", headers
    assert client.post("/", data={**form, "csrf": good}, headers={"Referer": ORIGIN + "/"}).mimetype == "application/pdf"


def test_a_host_header_naming_another_machine_is_refused_on_loopback(client: Any) -> None:
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200


def test_every_response_says_no_store(client: Any) -> None:
    for path in ("/", "/static/page.css", "/static/page.js", "/nothing-here"):
        with client.get(path) as response:  # a static file's response holds the file open until closed
            assert response.headers["Cache-Control"] == "no-store", path
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.post("/", data={}).headers["Cache-Control"] == "no-store"


def test_no_patient_value_is_logged_or_put_in_a_url(client: Any, caplog: pytest.LogCaptureFixture,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    post(client, document="consent", **PATIENT)
    post(client, document="consent", patient_name=PATIENT["patient_name"], dob="not a date", mrn=PATIENT["mrn"])
    page = post(client, document="consent", action="preview", **PATIENT).get_data(as_text=True)
    out, err = capfd.readouterr()
    for value in PATIENT.values():
        assert value not in caplog.text and value not in out and value not in err
    assert re.findall(r'<form method="post" action="([^"]*)"', page) == ["/"]
    assert "method=\"get\"" not in page.lower()


def test_an_edit_to_clinics_layouts_and_logos_shows_on_the_next_request(client: Any, workspace: Path) -> None:
    first = post(client).data
    content = workspace / "content.yaml"
    content.write_text(content.read_text().replace('name: "Harbor Ketamine & Wellness"', 'name: "Harbor Renamed Clinic"'))
    assert "Harbor Renamed Clinic" in text_of(post(client).data)
    layout = workspace / "layouts" / "standard.yaml"
    layout.write_text(layout.read_text().replace("size: letter", "size: a4"))
    width, height = pdfium.PdfDocument(post(client).data)[0].get_size()
    assert (round(width), round(height)) == (595, 842)
    logo = workspace / "logos" / "harbor.png"
    before = _logo_size(post(client).data)
    Image.new("RGB", (40, 20), "#336699").save(logo)  # the same path, another picture
    assert _logo_size(post(client).data) == (40, 20) != before
    assert first != post(client).data


def _logo_size(pdf: bytes) -> tuple[int, int]:
    """Pixel size of the first image on page 1 (the logo)."""
    images = list(PdfReader(io.BytesIO(pdf)).pages[0].images)
    return images[0].image.size


def test_a_broken_content_shows_its_located_problems_and_the_fix_shows_at_once(client: Any, workspace: Path) -> None:
    content = workspace / "content.yaml"
    good = content.read_text()
    content.write_text(good.replace("    phone: ", "    phone_number: ", 1))
    response = client.get("/")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 503 and "The content or clinics file has a mistake" in page
    assert re.search(r"content\.yaml:\d+ clinics\[0\]\.phone: required", page), page
    assert post_without_form(client).status_code in (400, 503)
    content.write_text(good)
    assert client.get("/").status_code == 200 and post(client).mimetype == "application/pdf"


def post_without_form(client: Any) -> Any:
    return client.post("/", data={"csrf": "x"}, headers={"Origin": ORIGIN})


def test_a_document_that_cannot_be_made_says_why(workspace: Path, workers: Workers) -> None:
    shutil.copy(CASES / "emoji.yaml", workspace / "emoji.yaml")
    client = create_app(Settings(workspace / "content.yaml", workspace / "emoji.yaml"), workers).test_client()
    response = post(client, clinic="smiley")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and "The document was not made" in page
    assert "🙂" in page and "clinics[0].name" in page
    assert post(client, clinic="plain").mimetype == "application/pdf"


def test_parallel_requests_each_get_their_own_correct_pdf(workspace: Path, workers: Workers) -> None:
    from waitress.server import create_server

    server = create_server(create_app(Settings(workspace / "content.yaml"), workers), host="127.0.0.1", port=0,
                           threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        port = server.effective_port
        cookie, csrf = _session(port)
        orders = [(clinic, document, treatment, lang) for clinic, treatment, lang in
                  (("harbor", "esketamine", "es"), ("cedar-ridge", "im", "en"), ("binh-an", "troche", "es"))
                  for document in ("handout", "aftercare", "consent")] * 2
        names = {"harbor": "Harbor Ketamine & Wellness", "cedar-ridge": "Cedar Ridge Mental Health",
                 "binh-an": "Bình An Ketamine Center"}

        def fetch(order: tuple[str, str, str, str]) -> bytes:
            clinic, document, treatment, lang = order
            body = urlencode({"csrf": csrf, "clinic": clinic, "document": document, "treatment": treatment,
                              "lang": lang, "layout": "standard", "action": "pdf"})
            connection = HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                   "Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"})
            try:
                response = connection.getresponse()
                data = response.read()
            finally:
                connection.close()
            assert response.status == 200 and response.getheader("Content-Type") == "application/pdf", data[:300]
            return data

        with ThreadPoolExecutor(len(orders)) as pool:
            pdfs = list(pool.map(fetch, orders))
    finally:
        server.close()
        thread.join(10)
    alone = {}
    for (clinic, document, treatment, lang), pdf in zip(orders, pdfs):
        text = text_of(pdf)
        assert names[clinic] in text and not any(n in text for c, n in names.items() if c != clinic)
        key = (clinic, document, treatment, lang)
        if key not in alone:  # the same bytes as the document made on its own, in this process
            alone[key] = make_document(Selection(workspace / "content.yaml", None, clinic, treatment, lang),
                                       document)
        assert pdf == alone[key], key


def test_documents_are_made_in_worker_processes_not_the_server(workers: Workers) -> None:
    """ReportLab's registries and PDFium are process-wide: the server's threads never draw themselves."""
    pids = workers.warm()
    assert pids and os.getpid() not in pids and len(pids) <= workers.count


def _session(port: int) -> tuple[str, str]:
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/")
    try:
        response = connection.getresponse()
        page = response.read().decode()
    finally:
        connection.close()
    cookie = SimpleCookie(response.getheader("Set-Cookie"))
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    return "; ".join(f"{k}={v.value}" for k, v in cookie.items()), token.group(1)


def test_the_library_and_its_errors_do_not_need_click() -> None:
    code = ("import sys, handouts.api, handouts.preview, handouts.web.render; "
            "assert 'click' not in sys.modules, 'click was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_serve_binds_loopback_unless_told_and_warns_then(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []

    def serve(*args: Any, ready: Any) -> None:
        calls.append(args)
        ready(f"http://{args[2]}:{args[3]}/")

    monkeypatch.setattr("handouts.web.server.serve", serve)
    quiet = run("serve", "--content", ROOT / "content.yaml")
    assert quiet.exit_code == 0 and "WARNING" not in quiet.output and "http://127.0.0.1:8000/" in quiet.output
    assert calls[-1][2:] == ("127.0.0.1", 8000)
    loud = run("serve", "--host", "0.0.0.0", "--port", "8123")
    assert loud.exit_code == 0 and "WARNING --host 0.0.0.0" in loud.output and calls[-1][2:] == ("0.0.0.0", 8123)


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--content", ROOT / "content.yaml", "--port", port)
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc (Linux)")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_workers_end_with_the_server_however_it_ends(how: int) -> None:
    server = subprocess.Popen([sys.executable, "-m", "handouts", "serve", "--port", "0", "--content",
                               str(ROOT / "content.yaml")], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("The page is at http://127.0.0.1:")
        children = _children(server.pid)
        assert len(children) >= 2  # the workers (and multiprocessing's resource tracker)
        server.send_signal(how)
        assert server.wait(30) == (0 if how == signal.SIGTERM else -how)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        if server.stdout:
            server.stdout.close()


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_an_internal_error_is_logged_by_its_class_alone(workspace: Path, caplog: pytest.LogCaptureFixture,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    class Failing:
        def make(self, order: Any) -> Any:
            raise RuntimeError(f"a bug that quotes {order.patient.name}")

    client = create_app(Settings(workspace / "content.yaml"), Failing()).test_client()  # type: ignore[arg-type]
    caplog.set_level(logging.DEBUG)
    response = post(client, document="consent", **PATIENT)
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "internal error (RuntimeError)" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "request failed: RuntimeError" in caplog.text and "Traceback" not in caplog.text
    out, err = capfd.readouterr()
    assert PATIENT["patient_name"] not in caplog.text + out + err + page.replace(f'value="{PATIENT["patient_name"]}"', "")

"""The Flask application: one page to choose a document, preview its first page, and open it to print.

Patient values travel only in POST bodies (never a URL), are neither logged nor written to
disk, and every response says `Cache-Control: no-store`. A post must carry the page's CSRF
token and come from this page's own origin.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, render_template, request, session
from werkzeug.exceptions import HTTPException

from handouts.api import Offerings, Selection, offerings
from handouts.errors import HandoutsError
from handouts.web import choices
from handouts.web.render import Order, Workers

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_POST_BYTES = 64 * 1024  # a form of a few short fields; larger is refused before it is read
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
log = logging.getLogger("handouts.web")


@dataclass(frozen=True)
class Settings:
    """Where the content and clinics are read from (again on every request), and who may call."""

    content_path: Path
    clinics_path: Path | None = None
    loopback_only: bool = True  # bound to loopback: refuse a Host header that names another machine


class _Page(Flask):
    """Flask, logging a failed request by the exception's class alone: its message or traceback could
    quote a patient's value."""

    def log_exception(self, exc_info: Any) -> None:
        log.error("request failed: %s", exc_info[0].__name__ if exc_info and exc_info[0] else "unknown error")


def create_app(settings: Settings, workers: Workers) -> Flask:
    """The page's application, making its documents in `workers`."""
    app = _Page(__name__)
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_POST_BYTES,
                      MAX_FORM_MEMORY_SIZE=MAX_POST_BYTES, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_NAME="handouts_session")

    @app.before_request
    def guard() -> None:
        if settings.loopback_only and _host_name(request.host) not in LOOPBACK_NAMES:
            abort(400)  # a page of another site, renamed to this address (DNS rebinding): not ours
        if request.method == "POST":
            if not _same_origin():
                abort(403)
            token = session.get("csrf", "")
            if not token or not hmac.compare_digest(str(token), request.form.get("csrf", "")):
                abort(_expired(settings))

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.errorhandler(Exception)
    def failed(exc: Exception) -> Any:
        if isinstance(exc, HTTPException):
            return exc
        app.log_exception((type(exc), None, None))
        return _page(settings, None, status=500, problems=["The page met an internal error "
                                                           f"({type(exc).__name__}). Please try again."])

    @app.get("/")
    def page() -> Any:
        return _page(settings, None)

    @app.post("/")
    def submit() -> Any:
        action = request.form.get("action", "")
        try:
            offers = offerings(settings.content_path, settings.clinics_path)
        except HandoutsError as exc:
            return _page(settings, None, status=503, problems=[str(p) for p in exc.problems])
        choice = choices.read(request.form, offers, check=action != "choose")
        if action not in ("preview", "pdf") or choice.errors:
            return _page(settings, choice, offers, status=422 if choice.errors else 200)
        selection = Selection(settings.content_path, settings.clinics_path, choice.values["clinic"],
                              choice.treatment, choice.values["lang"], choice.values["layout"])
        order = Order(selection, choice.values["document"], choice.patient, preview=action == "preview")
        try:
            made = workers.make(order)
        except HandoutsError as exc:
            return _page(settings, choice, offers, status=422, problems=[str(p) for p in exc.problems])
        if action == "pdf":
            return _pdf(choice, made.pdf)
        assert made.png is not None
        return _page(settings, choice, offers, preview=base64.b64encode(made.png).decode("ascii"), pages=made.pages)

    return app


def _host_name(host: str) -> str:
    """The name in a Host header, without its port and IPv6 brackets."""
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _same_origin() -> bool:
    """Whether a post comes from this page: Origin (or, without one, Referer) names this server."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    here = f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == here
    referer = request.headers.get("Referer")
    if referer is not None:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" == here
    return True  # no browser sends neither on a post; the CSRF token still has to match


def _expired(settings: Settings) -> Response:
    """The page again, fresh, when a post carries no valid token (the server restarted, or another site posted)."""
    return _page(settings, None, status=400, problems=["This page had expired, so nothing was made. Check the "
                                                       "choices below and try again."])


def _pdf(choice: choices.Choice, pdf: bytes) -> Response:
    """The PDF, shown by the browser (inline), named by document, treatment and language: never by a patient."""
    values = choice.values
    stem = "-".join(part for part in (values["document"], values["treatment"]) if part)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{stem}.{values["lang"]}.pdf"'
    return response


def _page(settings: Settings, choice: choices.Choice | None, offers: Offerings | None = None, status: int = 200,
          problems: list[str] | None = None, preview: str | None = None, pages: int = 0) -> Response:
    """The page: the form (as first shown, or with the posted values and their errors), problems, a preview."""
    if offers is None:
        try:
            offers = offerings(settings.content_path, settings.clinics_path)
        except HandoutsError as exc:
            offers, status, problems = None, 503, [str(p) for p in exc.problems]
    if offers is not None and choice is None:
        choice = choices.blank(offers)
    token = session.setdefault("csrf", secrets.token_urlsafe(32))
    html = render_template("page.html", offers=offers, choice=choice, problems=problems or [], preview=preview,
                           pages=pages, csrf=token, document_name=choices.document_name, labels=choices.LABELS,
                           content_broken=offers is None, script_data=_script_data(offers))
    return Response(html, status=status, mimetype="text/html")


def _script_data(offers: Offerings | None) -> dict[str, Any]:
    """What the page's script needs to make the choices follow each other (a clinic's own treatments and languages)."""
    if offers is None:
        return {}
    return {"clinics": {c.id: {"treatments": c.treatments, "languages": c.languages} for c in offers.clinics},
            "treatments": offers.treatments, "languages": offers.languages,
            "per_treatment": sorted(offers.per_treatment), "patient_documents": sorted(offers.patient_documents)}

"""`handouts serve`: the front-desk page under waitress, a production WSGI server, with its worker processes."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from handouts.web.app import LOOPBACK_NAMES, Settings, create_app
from handouts.web.render import Workers

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
THREADS = 4  # requests answered at once; the documents themselves are made in the worker processes


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (127.0.0.1, ::1, localhost)."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(content_path: Path, clinics_path: Path | None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          workers: int | None = None) -> None:
    """Serve the page until Ctrl-C. Waitress keeps no access log, so no request is written anywhere."""
    from waitress import serve as waitress_serve  # type: ignore[import-untyped]  # waitress ships no type hints

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" notes are noise here
    pool = Workers(workers)
    try:
        pool.warm()
        app = create_app(Settings(content_path.resolve(), clinics_path.resolve() if clinics_path else None,
                                  loopback_only=is_loopback(host)), pool)
        waitress_serve(app, host=host, port=port, threads=THREADS, ident="handouts", max_request_body_size=1 << 20)
    finally:
        pool.close()

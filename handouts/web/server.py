"""`handouts serve`: the front-desk page under waitress, a production WSGI server, with its worker processes."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
from pathlib import Path
from typing import Callable

from handouts.errors import HandoutsError
from handouts.write import cause
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
          ready: Callable[[str], None] | None = None, workers: int | None = None) -> None:
    """Serve the page until Ctrl-C or SIGTERM, calling `ready` with its address once it listens.

    Waitress keeps no access log, so no request is written anywhere. A port that is taken is a
    HandoutsError (exit code 2)."""
    from waitress.server import create_server  # type: ignore[import-untyped]  # waitress ships no type hints

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" notes are noise here
    settings = Settings(content_path.resolve(), clinics_path.resolve() if clinics_path else None,
                        loopback_only=is_loopback(host))
    pool = Workers(workers)
    try:
        server = create_server(create_app(settings, pool), sockets=[_listening(host, port)], threads=THREADS,
                               ident="handouts", max_request_body_size=1 << 20)
        pool.warm()
        if ready is not None:
            ready(f"http://{'[' + host + ']' if ':' in host else host}:{server.effective_port}/")
        previous = signal.signal(signal.SIGTERM, _stop)  # SIGTERM stops it as Ctrl-C does: workers ended
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.close()
    finally:
        pool.close()


def _listening(host: str, port: int) -> socket.socket:
    """A socket bound to host and port (the first address the name has), or a HandoutsError saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listener = socket.socket(family, kind, proto)
    except OSError as exc:
        raise HandoutsError([f"cannot listen on {host}:{port}: {cause(exc)}"]) from None
    try:
        if os.name != "nt":  # a restart may take the port while the last run's connections close
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        listener.close()
        raise HandoutsError([f"cannot listen on {host}:{port}: {cause(exc)}"]) from None
    return listener


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt

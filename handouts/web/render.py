"""Documents and previews made in worker processes, one request at a time in each.

ReportLab keeps global state (registered fonts, canvas defaults) and PDFium is not
thread-safe, while waitress answers requests on several threads: so nothing is drawn in the
server's process. Each worker takes one document at a time, and everything travels through
pipes in memory: no PDF, image or patient value is written to disk.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor, TimeoutError as Timeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from handouts.api import Selection, make_document
from handouts.errors import HandoutsError
from handouts.patients import Patient

PREVIEW_DPI = 100.0  # a Letter page is 850 x 1100 pixels: sharp beside the form, small to send
WAIT_SECONDS = 300  # the longest a request waits for its document (a packet of a long content)


@dataclass(frozen=True)
class Order:
    """One document to make: what for, for whom, and whether to draw its first page too."""

    selection: Selection
    document_id: str
    patient: Patient | None = None
    preview: bool = False


@dataclass(frozen=True)
class Made:
    """A made document: its PDF, the PNG of page 1 when asked, and its number of pages."""

    pdf: bytes
    pages: int
    png: bytes | None = None


def make(order: Order) -> Made:
    """Make the document (HandoutsError when it cannot be made, with its problems); runs in a worker."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # PDFium ships no type hints

    from handouts.preview import render_page

    pdf = make_document(order.selection, order.document_id, order.patient)
    if order.preview:
        shown = render_page(pdf, 1, PREVIEW_DPI, f"the {order.document_id}")
        return Made(pdf, shown.pages, shown.png)
    document = pdfium.PdfDocument(pdf)
    try:
        return Made(pdf, len(document))
    finally:
        document.close()


def _follow_parent() -> None:
    """End this worker when the server's process ends, however it ends (killed, too): never an orphan."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)  # nothing to tidy: a worker holds nothing but the document it was making

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _warm() -> int:
    """Load ReportLab and PDFium in a new worker, so that the first request does not wait for it."""
    import pypdfium2  # type: ignore[import-untyped]  # noqa: F401
    import reportlab.platypus  # noqa: F401

    return os.getpid()


class Workers:
    """A small pool of worker processes (started, not forked: the server has threads) that make documents."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count or max(1, min(2, os.cpu_count() or 1))
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_follow_parent)

    def warm(self) -> set[int]:
        """Start the workers now and load what drawing needs; the process ids that answered."""
        return {future.result(timeout=WAIT_SECONDS) for future in [self._pool.submit(_warm) for _ in range(self.count)]}

    def make(self, order: Order) -> Made:
        """Make one document in a worker; a worker that died is replaced, and the request told to try again."""
        with self._lock:
            pool = self._pool
        try:
            return pool.submit(make, order).result(timeout=WAIT_SECONDS)
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            pool.shutdown(wait=False, cancel_futures=True)
            raise HandoutsError(["the worker making the document stopped (out of memory?): please try again"]) from None
        except Timeout:
            raise HandoutsError([f"the document took longer than {WAIT_SECONDS} seconds to make"]) from None

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(wait=True, cancel_futures=True)

"""Make a batch's documents in worker processes: each resolves, lays out and writes its jobs.

A worker is given job numbers, not documents: it has the content, the jobs, the layout and
what the last manifest said about each file, once, inherited when it is forked (where the
platform cannot fork, the jobs are made in the one process), and keeps its fonts, templates,
clinic contexts and decoded logos for every job it makes. Each job is resolved only when it is made, so the first PDF is
written at once and memory does not grow with the number of clinics. A worker writes its
own PDFs (atomically) and sends back a small Outcome; the parent keeps the manifest.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from handouts.errors import RunFailure, unexpected
from handouts.fingerprint import fingerprint
from handouts.manifest import ManifestEntry
from handouts.model import Content, Job, Layout, ResolvedDocument
from handouts.post import pdf_date
from handouts.write import CAN_FLUSH_ALL, atomic_write, cause, sha256

RESOLVER_CACHE = 64  # clinics whose context a worker keeps; jobs come clinic by clinic
CHUNK = 4  # jobs sent to a worker at a time: fewer messages, still an even spread


@dataclass(frozen=True)
class Known:
    """What the last manifest says about a file: enough to tell whether it can be left as it is."""

    fingerprint: str
    sha256: str
    pages: int


@dataclass(frozen=True)
class Outcome:
    """What became of one job: built (with its entry), unchanged, or failed (with the manifest's record)."""

    index: int
    path: str  # relative to the output folder
    kind: str  # "built", "unchanged" or "failed"
    pages: int = 0
    entry: ManifestEntry | None = None
    failure: dict[str, Any] | None = None
    unknown: dict[str, str] | None = None  # an older copy that a failure could not remove


@dataclass
class Batch:
    """Everything a worker needs, set once per process."""

    content: Content
    jobs: list[Job]
    layout: Layout
    out_dir: Path
    known: Mapping[str, Known]
    force: bool
    make: Callable[[ResolvedDocument, Layout], tuple[bytes, int] | list[str]]


_BATCH: Batch | None = None
_RESOLVERS: dict[Any, Any] = {}


def target(job: Job) -> str:
    """Where a job's PDF goes, relative to the output folder."""
    return f"{job.clinic.id}/{job.name}.pdf"


def run(batch: Batch, workers: int, progress: Callable[[Outcome], None]) -> None:
    """Make every job of `batch` with up to `workers` processes, calling `progress` with each outcome.

    One worker, or a platform without fork, makes them in this process. A worker that dies
    (killed, out of memory) ends the run with an error instead of a wait for ever; Ctrl-C or
    SIGTERM stops the workers; either way the caller's manifest is still written.
    """
    global _BATCH
    _BATCH = batch
    _RESOLVERS.clear()
    indices = list(range(len(batch.jobs)))
    if workers <= 1 or len(indices) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for index in indices:
            progress(_work(index))
        return
    try:
        # Forked workers inherit the batch as it is (no second load of the content); fonts,
        # templates and logos are loaded by each worker once, on its first job.
        pool = ProcessPoolExecutor(min(workers, len(indices)), mp_context=multiprocessing.get_context("fork"),
                                   initializer=_quiet)
    except OSError:  # no more processes allowed: make them here
        for index in indices:
            progress(_work(index))
        return
    chunks = [indices[i:i + CHUNK] for i in range(0, len(indices), CHUNK)]
    previous = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        futures = [pool.submit(_work_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            for outcome in future.result():
                progress(outcome)
    except BrokenProcessPool:
        # Some documents were written.
        raise RunFailure(["a worker process stopped while making documents (killed, or out of memory?): the "
                          "manifest lists what was finished; run the build again, with fewer -j if memory "
                          "is short"]) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _work_chunk(indices: list[int]) -> list[Outcome]:
    return [_work(index) for index in indices]


def _quiet() -> None:
    """In a worker: Ctrl-C is for the parent, which stops the workers itself (no traceback from each)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interrupt(signum: int, frame: Any) -> None:  # noqa: ARG001 - a signal handler's signature
    """SIGTERM (a timeout, a cancelled job) stops a batch the way Ctrl-C does: manifest written, lock released."""
    raise KeyboardInterrupt


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def default_workers() -> int:
    """The number of processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _work(index: int) -> Outcome:
    """Make job `index`: resolve, skip if unchanged, lay out, write; any failure is that job's alone."""
    batch = _BATCH
    assert batch is not None, "the batch is set before any job is made"
    job = batch.jobs[index]
    path = target(job)
    try:
        return _make(batch, index, job, path)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - one bad document (even a SystemExit deep in a library) stops only itself
        return _failed(batch, index, job, path, [unexpected(exc, "could not be made")])


def _make(batch: Batch, index: int, job: Job, path: str) -> Outcome:
    from handouts.resolve import Failure, resolve_job

    if len(_RESOLVERS) > RESOLVER_CACHE:
        _RESOLVERS.clear()
    result = resolve_job(batch.content, job, _RESOLVERS)
    if isinstance(result, Failure):  # a content mistake this clinic's copy alone shows: its older PDF stays
        return _failed(batch, index, job, path, [str(p) for p in result.problems], keep_old=bool(result.template))
    digest = _digest(result, batch.layout)
    known = batch.known.get(path)
    if digest and known is not None and not batch.force and _unchanged(known, digest, batch.out_dir / path):
        return Outcome(index, path, "unchanged", known.pages)
    made = batch.make(result, batch.layout)
    if isinstance(made, list):
        return _failed(batch, index, job, path, made)
    pdf, pages = made
    try:
        # Made durable all at once before the manifest is written (handouts.build), where the system can.
        atomic_write(batch.out_dir / path, pdf, durable=not CAN_FLUSH_ALL)
    except OSError as exc:
        return _failed(batch, index, job, path, [f"could not be written to {batch.out_dir / path}: {cause(exc)}"])
    entry = ManifestEntry(
        path=path, clinic=job.clinic.id, document=job.document.id, treatment=job.treatment, language=job.lang,
        layout=batch.layout.name, pages=pages, bytes=len(pdf), sha256=sha256(pdf),
        content_version=batch.content.version, fingerprint=digest,
    )
    return Outcome(index, path, "built", pages, entry)


def _failed(batch: Batch, index: int, job: Job, path: str, reasons: list[str], keep_old: bool = False) -> Outcome:
    """The failure's record; its older PDF is removed, so that it does not stay beside the manifest
    looking current, unless `keep_old` (the content is wrong, not the document: the older copy is
    listed as not described by the manifest until it is built again)."""
    unknown = None
    try:
        if not keep_old:
            (batch.out_dir / path).unlink(missing_ok=True)
    except OSError as exc:
        unknown = {"path": path, "reason": f"an older copy: its document failed, and it could not be removed "
                                          f"({cause(exc)})"}
    failure = {"clinic": job.clinic.id, "document": job.document.id, "treatment": job.treatment,
               "language": job.lang, "name": job.name, "reason": "; ".join(reasons)}
    return Outcome(index, path, "failed", failure=failure, unknown=unknown)


def _digest(result: ResolvedDocument, layout: Layout) -> str:
    """The fingerprint of a document; "" (build it) when its logo cannot be read now."""
    try:
        return fingerprint(result, layout, pdf_date(result.reviewed))
    except OSError:  # the logo went missing since validation: building it names the problem for that document
        return ""


def _unchanged(known: Known, digest: str, path: Path) -> bool:
    """Whether the file was made from the same fingerprint and is still the PDF the manifest lists."""
    if known.fingerprint != digest:
        return False
    try:
        return sha256(path.read_bytes()) == known.sha256
    except OSError:
        return False

"""Write files atomically (temp file + rename), and their digests for the manifest (handouts.manifest)."""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def atomic_write(path: Path, data: bytes, mode: int = 0o644, durable: bool = True) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of one.

    The temp file is created readable by its owner only (mkstemp), so a private `mode` (0600)
    holds from the first byte; a public one is set just before the rename. `durable` waits
    for the disk (fsync) before the rename; a batch passes False and calls `flush_all` once
    before it writes its manifest.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _syncfs() -> Any:
    """Linux's syncfs(2), which waits for one file system's writes (not every disk's, as sync does)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    except OSError:
        return None


_SYNCFS = _syncfs()
CAN_FLUSH_ALL = _SYNCFS is not None  # elsewhere every file is made durable as it is written (fsync)


def flush_all(folder: Path) -> None:
    """Wait until every file written to `folder`'s file system is on disk: one call, not one fsync per file."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        if _SYNCFS(fd) != 0:
            os.sync()  # the call failed (an old kernel): sync everything rather than nothing
    finally:
        os.close(fd)


def sha256(data: bytes) -> str:
    """Hex digest for the manifest."""
    return hashlib.sha256(data).hexdigest()


def cause(exc: OSError) -> str:
    """The operating system's reason for a failed file operation, e.g. "No space left on device"."""
    return exc.strerror or str(exc) or type(exc).__name__

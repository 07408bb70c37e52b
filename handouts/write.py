"""Write files atomically (temp file + rename), and their digests for the manifest (handouts.manifest)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


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


CAN_FLUSH_ALL = hasattr(os, "sync")  # POSIX; elsewhere every file is made durable as it is written


def flush_all() -> None:
    """Wait until every file written so far is on disk (one sync, instead of one fsync per file)."""
    os.sync()


def sha256(data: bytes) -> str:
    """Hex digest for the manifest."""
    return hashlib.sha256(data).hexdigest()


def cause(exc: OSError) -> str:
    """The operating system's reason for a failed file operation, e.g. "No space left on device"."""
    return exc.strerror or str(exc) or type(exc).__name__

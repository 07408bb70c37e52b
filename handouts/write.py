"""Write files atomically (temp file + rename) and keep the manifest of what a run produced."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ManifestEntry:
    """One built PDF, as listed in manifest.json."""

    path: str  # relative to the output folder, with forward slashes
    clinic: str
    document: str
    treatment: str | None
    language: str
    layout: str
    pages: int
    bytes: int
    sha256: str
    content_version: str


@dataclass
class Manifest:
    """What one run built, and what failed (with the reasons)."""

    content_version: str
    layout: str
    files: list[ManifestEntry] = field(default_factory=list)
    failed: list[dict[str, str | None]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)  # built, but worth a look (e.g. too long)

    def to_json(self) -> str:
        """Stable JSON: same run, same bytes."""
        data = {
            "content_version": self.content_version,
            "layout": self.layout,
            "files": [asdict(f) for f in sorted(self.files, key=lambda f: f.path)],
            "failed": sorted(self.failed, key=lambda f: json.dumps(f, sort_keys=True)),
            "warnings": sorted(self.warnings, key=lambda w: json.dumps(w, sort_keys=True)),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def sha256(data: bytes) -> str:
    """Hex digest for the manifest."""
    return hashlib.sha256(data).hexdigest()

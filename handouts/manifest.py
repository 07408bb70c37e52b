"""manifest.json: what is in the output folder, read back from the last run and merged with this one's.

A run replaces the entries of the documents it built or tried to build and keeps every other
entry whose file is still there with the same sha256. A PDF that no entry truly describes
(an interrupted run's, or one put there by hand) is listed under `unknown`: nobody can vouch
for its layout or content version, so it is never given an entry.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Collection

from handouts.write import cause, sha256

MANIFEST_NAME = "manifest.json"
NOT_LISTED = "no manifest entry describes it (an interrupted run left it, or it was put here by hand): rebuild it or delete it"
UNREADABLE = "manifest.json could not be read when a run started, so nothing is known about this file: rebuild it or delete it"
NAMED = 5  # a note names this many paths, then says how many more


@dataclass(frozen=True)
class ManifestEntry:
    """One PDF in the output folder, as listed in manifest.json."""

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
    fingerprint: str = ""  # of everything that made it (handouts.fingerprint); a re-run skips it while unchanged


@dataclass
class Manifest:
    """The files of an output folder, the documents whose last build failed (with the reasons), and warnings."""

    content_version: str  # of the latest run; every entry carries its own
    layout: str  # of the latest run; every entry carries its own
    files: list[ManifestEntry] = field(default_factory=list)
    failed: list[dict[str, str | None]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)  # built, but worth a look (e.g. too long)
    unknown: list[dict[str, str]] = field(default_factory=list)  # PDFs on disk no entry describes: path, reason

    def to_json(self) -> str:
        """Stable JSON: same run, same bytes."""
        data = {
            "content_version": self.content_version,
            "layout": self.layout,
            "files": [asdict(f) for f in sorted(self.files, key=lambda f: f.path)],
            "failed": sorted(self.failed, key=lambda f: json.dumps(f, sort_keys=True)),
            "warnings": sorted(self.warnings, key=lambda w: json.dumps(w, sort_keys=True)),
            "unknown": sorted(self.unknown, key=lambda u: u["path"]),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass
class RunReport:
    """What one run did, the manifest it left, and notes about the folder for the person who ran it."""

    run: Manifest  # only what this run built, failed and warned about
    manifest: Manifest  # the whole folder, as written to manifest.json
    notes: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # documents left as they were: same fingerprint, same PDF


def read_manifest(path: Path) -> tuple[Manifest | None, list[str]]:
    """The manifest an earlier run left (empty when there is none), or None when it cannot be read (with a note why)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Manifest("", ""), []
    except OSError as exc:
        return None, [_replaced(path, cause(exc))]
    except ValueError as exc:  # not UTF-8, or not JSON
        return None, [_replaced(path, str(exc))]
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return None, [_replaced(path, "it is not a handouts manifest")]
    entries = [_entry(raw) for raw in data["files"]]
    kept = [e for e in entries if e is not None]
    old = Manifest(str(data.get("content_version", "")), str(data.get("layout", "")), kept,
                   _records(data.get("failed"), ("clinic", "name", "reason")),
                   _records(data.get("warnings"), ("path", "warning")),
                   _records(data.get("unknown"), ("path", "reason")))
    notes = []
    if len(kept) < len(entries):
        notes.append(f"{len(entries) - len(kept)} entr{'y' if len(entries) - len(kept) == 1 else 'ies'} of {path} "
                     "could not be read and were dropped")
    return old, notes


def reconcile(out_dir: Path, old: Manifest | None, run: Manifest, attempted: set[str],
              on_disk: set[str], rechecked: Collection[str] = ()) -> tuple[Manifest, list[str]]:
    """The folder's manifest after `run`: its entries, and the older ones still true of the disk; with notes.

    `rechecked` are documents this run found unchanged (their PDF already hashed against the
    entry) and warned about afresh (in `run.warnings`): their entries are kept without reading
    them again, and their older warnings are dropped.
    """
    default_reason = NOT_LISTED if old else UNREADABLE
    old = old or Manifest("", "")
    files = {entry.path: entry for entry in run.files}
    unknown = {u["path"]: u["reason"] for u in run.unknown}
    gone: list[str] = []
    for entry in old.files:
        if entry.path in attempted or entry.path in files:
            continue
        if entry.path in rechecked:
            files[entry.path] = entry
            continue
        try:
            found = sha256((out_dir / entry.path).read_bytes())
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            gone.append(entry.path)
            continue
        except OSError as exc:
            unknown.setdefault(entry.path, f"it could not be read to check it against its entry ({cause(exc)})")
            continue
        if found == entry.sha256:
            files[entry.path] = entry
        else:
            unknown.setdefault(entry.path, f"its sha256 no longer matches the entry that listed it (layout "
                                           f"{entry.layout!r}, content {entry.content_version}): an interrupted run "
                                           "or another program replaced it; rebuild it or delete it")
    earlier = {u["path"]: u["reason"] for u in old.unknown}
    for path in on_disk - files.keys() - unknown.keys():
        unknown[path] = earlier.get(path, default_reason)
    for path in [p for p in unknown if p not in on_disk]:
        del unknown[path]
    tried = attempted | files.keys()
    failed = [*run.failed, *(f for f in old.failed if f"{f['clinic']}/{f['name']}.pdf" not in tried)]
    kept_warnings = [w for w in old.warnings if w["path"] in files and w["path"] not in attempted and w["path"] not in rechecked]
    manifest = Manifest(run.content_version, run.layout, list(files.values()), failed,
                        [*run.warnings, *kept_warnings], [{"path": p, "reason": r} for p, r in unknown.items()])
    notes = []
    if gone:
        notes.append(f"dropped {len(gone)} manifest entr{'y' if len(gone) == 1 else 'ies'} whose file is gone: "
                     + _some(gone))
    if unknown:
        notes.append(f"{len(unknown)} PDF(s) in {out_dir} are not described by the manifest (listed under "
                     f"\"unknown\" in {out_dir / MANIFEST_NAME}; rebuild or delete them): " + _some(list(unknown)))
    return manifest, notes


def _replaced(path: Path, cause: str) -> str:
    return (f"{path} could not be read ({cause}); a new one replaces it, and the PDFs this run does not build are "
            "listed under \"unknown\" in it")


def _entry(raw: Any) -> ManifestEntry | None:
    """An entry of an older manifest, or None when it is not one this tool would have written."""
    names = {f.name for f in fields(ManifestEntry)}
    if not isinstance(raw, dict) or not names - {"fingerprint"} <= set(raw) <= names:
        return None  # an entry from before fingerprints is read, and rebuilt on the next run
    for name, value in raw.items():
        expected: tuple[type, ...] = (int,) if name in ("pages", "bytes") else (str,)
        if name == "treatment" and value is None:
            continue
        if not isinstance(value, expected) or isinstance(value, bool):
            return None
    parts = raw["path"].split("/")
    # Only OUT/<clinic>/<file>.pdf: an entry must never lead a run to read (or keep) anything else.
    if len(parts) != 2 or any(not p or p.startswith(".") or "\\" in p for p in parts) or not parts[1].endswith(".pdf"):
        return None
    return ManifestEntry(**raw)


def _records(raw: Any, keys: tuple[str, ...]) -> list[Any]:
    """The dicts of an older manifest's list that carry `keys` as text; others are left out."""
    if not isinstance(raw, list):
        return []
    return [r for r in raw if isinstance(r, dict) and all(isinstance(r.get(k), str) for k in keys)]


def _some(paths: list[str]) -> str:
    paths = sorted(paths)
    more = f" and {len(paths) - NAMED} more" if len(paths) > NAMED else ""
    return ", ".join(paths[:NAMED]) + more

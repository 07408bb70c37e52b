"""The output folder: checked before a run touches it, locked while one run writes, and cleared of the
temp files a killed run left behind.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from handouts.errors import HandoutsError, Problem, Where
from handouts.manifest import MANIFEST_NAME
from handouts.write import cause

LOCK_NAME = ".handouts.lock"
PART_PATTERN = ".*.part"  # what handouts.write.atomic_write names its temp files
TEMP_SUFFIX = len(".XXXXXXXX.part")  # what a temp file's name adds to its PDF's (and one leading dot)
NAME_MAX, PATH_MAX = 255, 4096  # when the file system does not say


def folder_problems(out_dir: Path, targets: Iterable[str]) -> list[Problem]:
    """Why this run could not write `targets` (paths like harbor/handout.en.pdf) into `out_dir`; nothing is touched."""
    problems: list[Problem] = []

    def bad(path: Path, message: str) -> None:
        problems.append(Problem(Where(str(path)), message))

    existing = out_dir
    while _kind(existing) == "missing" and existing.parent != existing:
        existing = existing.parent
    kind = _kind(existing)
    if existing != out_dir:
        if kind != "folder":
            why = "it is a file" if kind == "file" else kind
            bad(out_dir, f"cannot create the output folder: {existing} is in its way ({why})")
        elif not os.access(existing, os.W_OK | os.X_OK):
            bad(out_dir, f"cannot create the output folder: {existing} is not writable (permission denied)")
    elif kind != "folder":
        bad(out_dir, "cannot use the output folder: " + ("it is a file" if kind == "file" else kind))
    elif not os.access(out_dir, os.W_OK | os.X_OK):
        bad(out_dir, "the output folder is not writable (permission denied)")
    if problems:
        return problems
    name_max = _limit(existing, "PC_NAME_MAX", NAME_MAX)
    path_max = _limit(existing, "PC_PATH_MAX", PATH_MAX)
    for name in (LOCK_NAME, MANIFEST_NAME):
        if _kind(out_dir / name) == "folder":
            bad(out_dir / name, "is a folder: this run writes a file of that name here")
    clinics: set[str] = set()
    for target in targets:
        clinic, file_name = target.split("/")
        path = out_dir / clinic / file_name
        too_long = _length_problem(path, clinic, file_name, name_max, path_max)
        if too_long:
            bad(path, too_long)
        else:
            _check_places(out_dir, clinic, path, clinics, bad)
    return problems


def _length_problem(path: Path, clinic: str, file_name: str, name_max: int, path_max: int) -> str | None:
    """Why the file system would refuse the name of the clinic's folder, the PDF or its temp file, if it would."""
    # While it is written, a PDF is a temp file whose name is longer than its own.
    for part, size in ((f"the folder name {clinic!r}", len(os.fsencode(clinic))),
                       (f"the temp file name .{file_name}.XXXXXXXX.part", len(os.fsencode(file_name)) + 1 + TEMP_SUFFIX)):
        if size > name_max:
            return f"name too long: {part} has {size} bytes; this file system allows {name_max}"
    if len(os.fsencode(str(path.absolute()))) + TEMP_SUFFIX > path_max:
        return f"path too long: this file system allows {path_max} bytes"
    return None


def _check_places(out_dir: Path, clinic: str, path: Path, clinics: set[str], bad: Callable[[Path, str], None]) -> None:
    """The clinic's folder is a writable folder (or not there yet), and the PDF's own name is not taken by a folder."""
    if clinic not in clinics:
        clinics.add(clinic)
        folder = _kind(out_dir / clinic)
        if folder == "file":
            bad(out_dir / clinic, f"is a file, not a folder: clinic {clinic!r}'s PDFs go in a folder of that name")
        elif folder not in ("folder", "missing"):
            bad(out_dir / clinic, folder)
        elif folder == "folder" and not os.access(out_dir / clinic, os.W_OK | os.X_OK):
            bad(out_dir / clinic, "the clinic's folder is not writable (permission denied)")
    if _kind(path) == "folder":
        bad(path, "is a folder: the PDF of that name cannot be written")


def _kind(path: Path) -> str:
    """'folder', 'file' (anything else that is there), 'missing', or why the path cannot be looked at."""
    try:
        return "folder" if path.is_dir() else "file" if os.path.lexists(path) else "missing"
    except OSError as exc:
        return cause(exc)


def _limit(path: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(path, name)
    except (OSError, ValueError):
        return default


@dataclass(frozen=True)
class FolderLock:
    """This run's hold on an output folder: the lock file, what this run wrote into it, and (on POSIX)
    the open file whose kernel lock is the real hold: it ends when the process does, however it ends."""

    path: Path
    text: str
    note: str | None = None  # said when a dead run's lock was taken over
    fd: int | None = None

    def release(self) -> None:
        """Remove the lock file, if it is still this run's, then let go of it."""
        if _read(self.path) == self.text:
            try:
                self.path.unlink()
            except OSError:
                pass  # the next run finds it unheld (or its pid dead) and takes it over
        if self.fd is not None:
            os.close(self.fd)


def take_lock(out_dir: Path) -> FolderLock:
    """Hold OUT/.handouts.lock for this run; a dead run's lock is taken over, a live one is a HandoutsError."""
    path = out_dir / LOCK_NAME
    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    text = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started}, sort_keys=True) + "\n"
    try:
        import fcntl  # noqa: F401 - POSIX only
    except ImportError:
        return _take_by_pid(path, text)
    return _take_by_flock(path, text)


def _take_by_flock(path: Path, text: str) -> FolderLock:
    """The lock held with flock(2): two runs can never both hold it, and a killed run's hold ends with it."""
    import fcntl

    for _ in range(3):  # a lock file removed and made anew between opening and locking it is tried again
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise HandoutsError([Problem(Where(str(path)), f"cannot lock the output folder: {cause(exc)}")]) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            holder = _holder(_read(path) or "")
            who = _describe(holder) if holder else "a run that has not yet said which"
            raise HandoutsError([Problem(Where(str(path)), f"another handouts run is writing to this folder: {who}; "
                                 "wait for it to finish")]) from None
        try:
            same = os.fstat(fd).st_ino == path.stat().st_ino
        except OSError:
            same = False
        if not same:
            os.close(fd)
            continue
        holder = _holder(_read(path) or "")
        if holder is not None and holder["host"] != socket.gethostname():
            os.close(fd)  # a folder shared over the network: flock may not reach the other host, so trust its lock
            raise HandoutsError([Problem(Where(str(path)), f"another handouts run is writing to this folder: "
                                 f"{_describe(holder)}; wait for it to finish, or delete this file if that run "
                                 "has stopped")]) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, text.encode("utf-8"), 0)
        except OSError as exc:
            os.close(fd)
            raise HandoutsError([Problem(Where(str(path)), f"cannot lock the output folder: {cause(exc)}")]) from None
        note = f"took over {path} from a run that is no longer running ({_describe(holder)})" if holder else None
        return FolderLock(path, text, note, fd)
    raise HandoutsError([Problem(Where(str(path)), "another handouts run is taking this folder's lock at the same "
                                                   "moment: run again when it has finished")])


def _take_by_pid(path: Path, text: str) -> FolderLock:
    """The lock where flock(2) is missing (Windows): made with O_EXCL, a dead pid's taken over."""
    note = None
    for _ in range(3):  # a lock taken over, or released, between two looks is looked at again
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            held = _read(path)
            if held is None:
                continue
            holder = _holder(held)
            if holder is None:
                raise HandoutsError([Problem(Where(str(path)), "this output folder is locked, but the lock does not say "
                                     "by which run: delete the file if no handouts run is writing here")]) from None
            if _alive(holder):
                raise HandoutsError([Problem(Where(str(path)), f"another handouts run is writing to this folder: "
                                     f"{_describe(holder)}; wait for it to finish, or delete this file if that run "
                                     "has stopped")]) from None
            # Removed only if it still holds what was read, so a run that took it over a moment ago keeps it.
            if _read(path) == held:
                try:
                    path.unlink(missing_ok=True)
                except OSError as exc:
                    raise HandoutsError([Problem(Where(str(path)), f"cannot remove the lock of a run that is no "
                                         f"longer running ({_describe(holder)}): {cause(exc)}")]) from None
                note = f"took over {path} from a run that is no longer running ({_describe(holder)})"
            continue
        except OSError as exc:
            raise HandoutsError([Problem(Where(str(path)), f"cannot lock the output folder: {cause(exc)}")]) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:  # a full disk: a lock that names no run would only stop the next one
            path.unlink(missing_ok=True)
            raise HandoutsError([Problem(Where(str(path)), f"cannot lock the output folder: {cause(exc)}")]) from None
        return FolderLock(path, text, note)
    raise HandoutsError([Problem(Where(str(path)), "another handouts run is taking this folder's lock at the same "
                                                   "moment: run again when it has finished")])


def _read(path: Path) -> str | None:
    """The lock file's text; None when there is no lock file, "" when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return ""


def _holder(text: str) -> dict[str, Any] | None:
    """The run a lock names (pid, host, started), or None when the file does not say."""
    try:
        holder = json.loads(text)
    except ValueError:
        return None
    ok = isinstance(holder, dict) and type(holder.get("pid")) is int and holder["pid"] > 0
    return holder if ok and isinstance(holder.get("host"), str) else None


def _alive(holder: dict[str, Any]) -> bool:
    """Whether the run a lock names may still be running: only a pid on this host can be looked up."""
    if holder["host"] != socket.gethostname() or os.name == "nt":  # Windows' os.kill would end the process
        return True
    if holder["pid"] == os.getpid():  # not ours, since we hold no lock yet: a dead run's (a container's pid 1, say)
        return False
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def _describe(holder: dict[str, Any]) -> str:
    return f"pid {holder['pid']} on host {holder['host']}, started {holder.get('started', 'at an unknown time')}"


def remove_stale_parts(out_dir: Path) -> list[str]:
    """Remove the temp files an interrupted run left (OUT/.*.part, OUT/<clinic>/.*.part); notes on what was done."""
    removed: list[str] = []
    notes: list[str] = []
    for folder in [out_dir, *_clinic_folders(out_dir)]:
        for part in sorted(folder.glob(PART_PATTERN)):
            try:
                part.unlink()
                removed.append(part.relative_to(out_dir).as_posix())
            except FileNotFoundError:
                pass
            except OSError as exc:
                notes.append(f"could not remove {part}, a temp file an interrupted run left: {cause(exc)}")
    if removed:
        notes.insert(0, f"removed {len(removed)} temp file(s) an interrupted run left: {', '.join(removed)}")
    return notes


def pdfs_on_disk(out_dir: Path) -> set[str]:
    """Every OUT/<clinic>/<name>.pdf there is, as paths relative to the folder."""
    found: set[str] = set()
    for folder in _clinic_folders(out_dir):
        try:
            with os.scandir(folder) as entries:
                found.update(f"{folder.name}/{e.name}" for e in entries
                             if e.name.endswith(".pdf") and not e.name.startswith(".") and e.is_file())
        except OSError:
            continue  # a folder this run cannot list holds nothing it wrote
    return found


def _clinic_folders(out_dir: Path) -> list[Path]:
    try:
        with os.scandir(out_dir) as entries:
            return sorted(Path(e.path) for e in entries if e.is_dir() and not e.name.startswith("."))
    except OSError:
        return []

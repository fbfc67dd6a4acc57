"""Writing the static edition into a folder so that a re-run touches only what changed.

A file is rewritten only when its bytes differ, through a temporary file beside it and
``os.replace``, so that a host or CDN serving the folder meanwhile never sees half a
file, and unchanged files keep their modification times (what sync tools and caches
compare). The names written are kept in a manifest (``MANIFEST``) in the folder: a file
an earlier run wrote and this one does not is removed, and nothing else in the folder
is ever touched (a host's own files, a ``.git``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MANIFEST = ".tracker-publish"


class FolderError(Exception):
    """The folder cannot hold the edition: said in one line."""


@dataclass
class Outcome:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_edition(root: Path, files: dict[str, bytes]) -> Outcome:
    """Make ``root`` hold ``files`` (names relative to it): write what differs, remove
    what an earlier run wrote and this one does not."""
    if root.exists() and not root.is_dir():
        raise FolderError(f"{root} is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    outcome = Outcome()
    for name in sorted(files):
        changed = _write(root / _safe(name), files[name])
        (outcome.written if changed else outcome.unchanged).append(name)
    for name in sorted(_manifest(root) - files.keys()):
        if _remove(root, root / _safe(name)):
            outcome.removed.append(name)
    _write(root / MANIFEST, "".join(f"{name}\n" for name in sorted(files)).encode())
    return outcome


def _write(path: Path, data: bytes) -> bool:
    """Put ``data`` at ``path`` unless it is there already; whether it was written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # os.open with 0o666: the umask decides who may read it, as for any file written.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True


def _manifest(root: Path) -> set[str]:
    try:
        text = (root / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    return {line for line in text.splitlines() if line and _safe(line, strict=False)}


def _remove(root: Path, path: Path) -> bool:
    """Remove a file an earlier run wrote, and the folders it leaves empty."""
    if not path.is_file():
        return False
    path.unlink()
    folder = path.parent
    while folder != root and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
    return True


def _safe(name: str, strict: bool = True) -> str:
    """A name inside the folder: relative, no ``..``. A bad one from the site is a bug
    (raised); one in the manifest is left alone (``strict=False``: returned empty)."""
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or not parts or name == MANIFEST:
        if strict:
            raise FolderError(f"refusing to write {name!r} outside the edition")
        return ""
    return name

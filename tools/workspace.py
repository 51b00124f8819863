"""The workspace the agent works in: confined paths, the editor's buffers, the agent's overlay.

    ws = Workspace("/path/to/project")
    ws.read_text("app.py")          # the agent's edit, else the editor's buffer, else the disk
    ws.write_text("app.py", text)   # lands in the overlay: the user's files are never written
    ws.changes()                    # what the agent changed, against what it first read

Every path is resolved (symlinks included) and must stay inside the root;
anything else raises WorkspaceError and touches nothing.
"""

import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools.ignore import IgnoreRules

MAX_FILE_BYTES = 5 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192


class WorkspaceError(Exception):
    """A path or file the agent cannot use; the message says why and names the root."""


class NotTextError(WorkspaceError):
    """A file that is there but is not text the agent can read: binary, too large or
    not UTF-8. `reason` is the short form ("binary", "over 5 MB", "not UTF-8")."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Buffer:
    """An open editor document: its text and LSP version."""

    text: str
    version: int | None


@dataclass(frozen=True)
class FileChange:
    """One file the agent changed. `before` is None for a new file, `after` None for a
    deleted one; `version` is the editor's version of the document the agent read."""

    path: str
    before: str | None
    after: str | None
    version: int | None

    @property
    def kind(self) -> str:
        if self.before is None:
            return "create"
        return "delete" if self.after is None else "modify"


_DELETED = object()  # overlay marker: the agent deleted the file
_ABSENT = object()  # baseline marker: the file did not exist when first touched


class Workspace:
    def __init__(self, root: str | os.PathLike):
        path = Path(root)
        if not path.is_dir():
            raise WorkspaceError(f"the workspace root {root} is not a directory")
        self.root = path.resolve()
        self.ignore = IgnoreRules(self.root)
        self._buffers: dict[str, Buffer] = {}
        self._overlay: dict[str, object] = {}  # rel path -> text or _DELETED
        self._history: dict[str, list[object]] = {}  # rel path -> earlier overlay states
        self._baseline: dict[str, tuple[object, int | None]] = {}  # rel path -> (text or _ABSENT, version)
        self._lock = threading.RLock()
        self.revision = 0  # counts the agent's edits and undos

    # -- paths -------------------------------------------------------------------

    def resolve(self, path: str | os.PathLike) -> Path:
        """The absolute path of `path` (relative to the root, or absolute inside it)."""
        text = os.fspath(path)
        if "\0" in text:
            raise WorkspaceError("a path cannot contain a NUL byte")
        if not text.strip():
            raise WorkspaceError("the path is empty")
        candidate = Path(text) if os.path.isabs(text) else self.root / text
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError) as e:  # symlink loops
            raise WorkspaceError(f"{text}: cannot resolve ({e})") from None
        if resolved != self.root and not resolved.is_relative_to(self.root):
            raise WorkspaceError(f"{text} is outside the workspace ({self.root})")
        return resolved

    def relative(self, path: str | os.PathLike) -> str:
        """The workspace-relative POSIX path, as tools show it."""
        return self.resolve(path).relative_to(self.root).as_posix() or "."

    # -- reading -----------------------------------------------------------------

    def read_text(self, path: str | os.PathLike) -> str:
        rel = self.relative(path)
        with self._lock:
            if rel in self._overlay:
                text = self._overlay[rel]
                if text is _DELETED:
                    raise WorkspaceError(f"{rel} was deleted (by an earlier edit)")
                return text
            if rel in self._buffers:
                return self._buffers[rel].text
        return self._read_disk(rel)

    def exists(self, path: str | os.PathLike) -> bool:
        rel = self.relative(path)
        with self._lock:
            if rel in self._overlay:
                return self._overlay[rel] is not _DELETED
            if rel in self._buffers:
                return True
        return (self.root / rel).is_file()

    def version(self, path: str | os.PathLike) -> int | None:
        """The editor's version of an open document (None when not open)."""
        buffer = self._buffers.get(self.relative(path))
        return buffer.version if buffer else None

    def _read_disk(self, rel: str) -> str:
        full = self.root / rel
        try:
            info = full.stat()
        except FileNotFoundError:
            raise WorkspaceError(f"{rel} does not exist") from None
        except OSError as e:
            raise WorkspaceError(f"{rel}: {e.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            raise WorkspaceError(f"{rel} is a directory; use list_files to see what it holds")
        if not stat.S_ISREG(info.st_mode):
            raise WorkspaceError(f"{rel} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            size = f"{info.st_size // 1024 // 1024} MB"
            raise NotTextError(f"{rel} is {size}; files over 5 MB are not read", "over 5 MB")
        try:
            data = full.read_bytes()
        except OSError as e:
            raise WorkspaceError(f"{rel}: {e.strerror}") from None
        if b"\0" in data[:BINARY_SNIFF_BYTES]:
            raise NotTextError(f"{rel} is a binary file", "binary")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise NotTextError(f"{rel} is not UTF-8 text", "not UTF-8") from None

    # -- the editor's buffers ----------------------------------------------------

    def open_buffer(self, path: str | os.PathLike, text: str, version: int | None) -> None:
        with self._lock:
            self._buffers[self.relative(path)] = Buffer(text, version)

    def close_buffer(self, path: str | os.PathLike) -> None:
        with self._lock:
            self._buffers.pop(self.relative(path), None)

    # -- the agent's overlay -----------------------------------------------------

    def write_text(self, path: str | os.PathLike, text: str) -> None:
        """Record the agent's new text for `path` (the disk is not touched)."""
        if not isinstance(text, str):
            raise WorkspaceError(f"the new text must be a string, not {type(text).__name__}")
        target = self.resolve(path)
        if target.is_dir():
            raise WorkspaceError(f"{self.relative(path)} is a directory")
        for parent in target.parents:
            if parent == self.root:
                break
            # A file where a folder would go (on disk or among the agent's new files):
            # the editor could not create this one.
            file_on_disk = parent.exists() and not parent.is_dir()
            if file_on_disk or self._overlay.get(self.relative(parent)) not in (None, _DELETED):
                raise WorkspaceError(f"{self.relative(parent)} is a file, so {self.relative(path)} cannot be created")
        self._set(self.relative(path), text)

    def delete(self, path: str | os.PathLike) -> None:
        rel = self.relative(path)
        if not self.exists(rel):
            raise WorkspaceError(f"{rel} does not exist")
        self._set(rel, _DELETED)

    def undo(self, path: str | os.PathLike) -> None:
        """Take back the agent's last edit of `path`."""
        rel = self.relative(path)
        with self._lock:
            history = self._history.get(rel)
            if not history:
                raise WorkspaceError(f"there is no edit of {rel} to undo")
            previous = history.pop()
            if previous is _ABSENT:
                self._overlay.pop(rel, None)
            else:
                self._overlay[rel] = previous
            self.revision += 1

    def _set(self, rel: str, value: object) -> None:
        with self._lock:
            if rel not in self._baseline:
                self._baseline[rel] = (self._current_or_absent(rel), self.version(rel))
            self._history.setdefault(rel, []).append(self._overlay.get(rel, _ABSENT))
            self._overlay[rel] = value
            self.revision += 1

    def _current_or_absent(self, rel: str) -> object:
        if rel in self._buffers:
            return self._buffers[rel].text
        try:
            return self._read_disk(rel)
        except WorkspaceError:
            if (self.root / rel).exists():
                raise
            return _ABSENT

    def overlay_paths(self) -> dict[str, str | None]:
        """The agent's edits: path -> new text (None: deleted)."""
        with self._lock:
            return {rel: None if value is _DELETED else value for rel, value in self._overlay.items()}

    def effective_overlay(self) -> dict[str, str | None]:
        """Every file whose text is not the disk's: the editor's unsaved buffers and
        the agent's edits (which win). path -> text (None: deleted)."""
        with self._lock:
            view: dict[str, str | None] = {rel: buffer.text for rel, buffer in self._buffers.items()}
        view.update(self.overlay_paths())
        return view

    def overlaid_paths(self) -> set[str]:
        return set(self.effective_overlay())

    def changes(self) -> list[FileChange]:
        """What the agent changed, file by file, against what it first read."""
        result = []
        with self._lock:
            for rel, value in sorted(self._overlay.items()):
                before, version = self._baseline[rel]
                before = None if before is _ABSENT else before
                after = None if value is _DELETED else value
                if before != after:
                    result.append(FileChange(rel, before, after, version))
        return result

    def reset(self) -> None:
        """Forget the agent's edits (a new task)."""
        with self._lock:
            self._overlay.clear()
            self._history.clear()
            self._baseline.clear()

    # -- listing -----------------------------------------------------------------

    def iter_files(self, under: str | os.PathLike = ".") -> Iterator[str]:
        """Workspace-relative paths of the files the agent may look at, sorted: what
        .gitignore keeps, without .git, virtualenvs, node_modules, caches or binaries;
        with the agent's new files and without the ones it deleted."""
        start = self.resolve(under)
        if start.is_file():
            yield self.relative(start)
            return
        overlay = self.overlay_paths()
        prefix = "" if start == self.root else start.relative_to(self.root).as_posix() + "/"
        on_disk = {rel for rel in self.ignore.walk(start) if overlay.get(rel, "") is not None}
        added = {rel for rel, text in overlay.items() if text is not None and rel.startswith(prefix)}
        yield from sorted(on_disk | added)

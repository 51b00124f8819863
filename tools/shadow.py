"""The shadow copy: a private copy of the workspace, with the overlay applied, where
tests run. The user's files are never touched, whatever the tests do.

Files are cloned (copy-on-write, where the filesystem can) or copied, not hard-linked:
a test that opens a tracked file for writing would otherwise write the user's
original through the shared inode. The copy persists between runs and `sync()`
only rewrites what changed (file size and mtime on disk, or the overlay's text),
so after the first copy a sync of a 5,000-file workspace is a stat walk
(bench/RESULTS.md, "Workspace").
"""

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

from tools.ignore import SKIPPED_DIRS, is_virtualenv
from tools.workspace import Workspace

FICLONE = 0x40049409  # linux/fs.h: share the source's blocks, copy-on-write
PREFIX = "agentls-shadow-"  # then the pid of the process that made the copy


class ShadowCopy:
    """One per workspace root; tasks share it, each syncing its own overlay in while
    holding `lock` for the length of its test run."""

    def __init__(self, workspace_root: Path):
        self.source = Path(workspace_root).resolve()
        remove_stale_copies()
        self.root = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self.lock = threading.RLock()
        self._signatures: dict[str, tuple] = {}  # rel path -> what was last written there
        self._made_dirs: set[str] = set()
        self._can_clone = True

    def sync(self, ws: Workspace | None = None) -> Path:
        """Bring the copy up to date with the disk and `ws`'s overlay (none: the disk
        alone); returns its root."""
        with self.lock:
            wanted = self._disk_signatures()
            overlay = ws.effective_overlay() if ws is not None else {}
            for rel, text in overlay.items():
                if text is None:
                    wanted.pop(rel, None)
                else:
                    wanted[rel] = ("overlay", hashlib.blake2b(text.encode("utf-8", "surrogatepass")).hexdigest())
            for rel in set(self._signatures) - set(wanted):
                with contextlib.suppress(FileNotFoundError):
                    (self.root / rel).unlink()
                del self._signatures[rel]
            for rel, signature in wanted.items():
                previous = self._signatures.get(rel)
                if previous == signature:
                    continue
                target = self.root / rel
                self._make_parent(rel)
                if previous is not None or target.is_dir():
                    self._remove(rel)  # replace, never write through: the old file may be open
                try:
                    if signature[0] == "overlay":
                        target.write_text(overlay[rel], encoding="utf-8", newline="")
                    else:
                        self._copy(self.source / rel, target)
                except OSError:  # vanished or unreadable since the walk: leave it out
                    self._signatures.pop(rel, None)
                    continue
                self._signatures[rel] = signature
            return self.root

    def _remove(self, rel: str) -> None:
        """Remove what the copy has at `rel`: a file, or a folder the workspace
        replaced with a file (and its contents)."""
        target = self.root / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
            self._made_dirs = {d for d in self._made_dirs if d != rel and not d.startswith(rel + "/")}
            self._signatures = {r: s for r, s in self._signatures.items() if not r.startswith(rel + "/")}
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()

    def _make_parent(self, rel: str) -> None:
        parent = rel.rpartition("/")[0]
        if parent and parent not in self._made_dirs:
            (self.root / parent).mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(parent)

    def _disk_signatures(self) -> dict[str, tuple]:
        found: dict[str, tuple] = {}
        self._scan(str(self.source), "", found)
        return found

    def _scan(self, directory: str, prefix: str, found: dict[str, tuple]) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return  # vanished or unreadable: nothing to copy
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS and not is_virtualenv(entry.path):
                        self._scan(entry.path, f"{prefix}{entry.name}/", found)
                    continue
                if entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(self.source):
                    continue  # a link out of the workspace
                info = entry.stat()  # follows links inside the workspace
            except (OSError, RuntimeError):
                continue
            if entry.is_file():
                found[prefix + entry.name] = ("disk", info.st_size, info.st_mtime_ns)

    def _copy(self, source: Path, target: Path) -> None:
        if self._can_clone:
            try:
                with open(source, "rb") as src, open(target, "wb") as dst:
                    fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
                shutil.copymode(source, target)
                return
            except OSError as e:
                if e.errno not in (errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS):
                    raise
                self._can_clone = False  # this filesystem cannot clone: copy from now on
        shutil.copy(source, target)  # content and mode (executable scripts stay executable)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def remove_stale_copies() -> None:
    """Remove the shadow copies of processes that are gone. A server killed with SIGKILL
    (or crashed) cannot remove its own, and each is a full copy of a user's project."""
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid = path.name.removeprefix(PREFIX).split("-", 1)[0]
        with contextlib.suppress(OSError):
            if pid.isdigit() and path.lstat().st_uid == os.getuid() and not _running(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True

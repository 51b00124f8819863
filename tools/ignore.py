"""Which files of a workspace the agent sees: .gitignore (nested ones too), minus
.git, virtualenvs, node_modules, caches and binary files.

Symlinked directories are not followed (a link loop cannot trap the walk, and a
link out of the workspace cannot widen it).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pathspec

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
        ".idea",
        ".vscode-test",
    }
)
BINARY_SUFFIXES = frozenset(
    {
        *(".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".pdf", ".mp3", ".mp4", ".wav"),
        *(".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".whl", ".egg", ".jar"),
        *(".so", ".dylib", ".dll", ".exe", ".o", ".a", ".pyc", ".pyo", ".class"),
        *(".db", ".sqlite", ".sqlite3", ".bin", ".dat", ".npy", ".npz", ".pkl", ".pickle", ".parquet"),
        *(".woff", ".woff2", ".ttf", ".otf", ".gguf", ".safetensors", ".pt", ".onnx"),
    }
)


def is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


class IgnoreRules:
    def __init__(self, root: Path):
        self.root = root

    def _spec(self, directory: str) -> pathspec.PathSpec | None:
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
                return pathspec.GitIgnoreSpec.from_lines(f)
        except OSError:
            return None

    def walk(self, start: Path) -> Iterator[str]:
        """Workspace-relative paths of the visible files under `start` (unsorted)."""
        # Each active rule set applies to paths relative to the directory it lives in.
        rules: list[tuple[str, pathspec.PathSpec]] = []
        directory = self.root
        for part in [""] + list(start.relative_to(self.root).parts):
            directory = directory / part if part else directory
            spec = self._spec(str(directory))
            if spec is not None:
                rules.append((str(directory), spec))
        yield from self._walk(str(start), rules)

    def _walk(self, directory: str, rules: list) -> Iterator[str]:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return  # unreadable or vanished while we looked: nothing to show
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file(follow_symlinks=True)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or is_virtualenv(entry.path) or self._ignored(entry.path, rules, True):
                    continue
                spec = self._spec(entry.path)
                yield from self._walk(entry.path, rules + [(entry.path, spec)] if spec else rules)
            elif is_file and not self._ignored(entry.path, rules, False):
                if os.path.splitext(entry.name)[1].lower() in BINARY_SUFFIXES:
                    continue
                if entry.is_symlink() and not _inside(entry.path, self.root):
                    continue
                yield Path(entry.path).relative_to(self.root).as_posix()

    @staticmethod
    def _ignored(path: str, rules: list, is_dir: bool) -> bool:
        for base, spec in rules:
            relative = os.path.relpath(path, base).replace(os.sep, "/")
            if spec.match_file(relative + "/" if is_dir else relative):
                return True
        return False


def _inside(path: str, root: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False

"""Reading the workspace as the agent sees it: windowed file views, listings, search.

Everything reads through the Workspace, so the agent sees the editor's unsaved
text and its own edits. Output is sized for a model's context: files in windows
of about 100 numbered lines, listings and search results capped with a count of
what was left out.
"""

import fnmatch
import re
import shutil
import subprocess
from pathlib import PurePosixPath

from tools.edits import split_lines
from tools.workspace import NotTextError, Workspace, WorkspaceError

WINDOW_LINES = 100
MAX_WINDOW_LINES = 400
MAX_LINE_CHARS = 300
MAX_LISTED = 200
MAX_MATCHES = 60
MAX_MATCHES_PER_FILE = 10


def view_file(ws: Workspace, path: str, start_line: int | None = None, end_line: int | None = None) -> str:
    """The file's lines start_line..end_line (1-based, inclusive), numbered, with a header."""
    text = ws.read_text(path)
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    total = len(lines)
    rel = ws.relative(path)
    if total == 0:
        return f"{rel} is empty."
    start = max(1, start_line or 1)
    if start > total:
        raise WorkspaceError(f"{rel} has {total} lines; start_line={start} is past the end")
    end = min(total, end_line if end_line else start + WINDOW_LINES - 1, start + MAX_WINDOW_LINES - 1)
    if end < start:
        raise WorkspaceError(f"end_line={end_line} is before start_line={start}")
    width = len(str(end))
    body = "\n".join(f"{n:>{width}}│ {_clip(lines[n - 1])}" for n in range(start, end + 1))
    header = f"{rel} — lines {start}–{end} of {total}" if (start, end) != (1, total) else f"{rel} — {total} lines"
    footer = ""
    if end < total:
        footer = f"\n(lines {end + 1}–{total} not shown: read_file({rel!r}, start_line={end + 1}))"
    return f"{header}\n{body}{footer}"


def list_paths(ws: Workspace, path: str | None = None, pattern: str | None = None) -> str:
    """Files under `path`, optionally filtered by a glob such as "*.py" or "tests/test_*.py"."""
    files = list(ws.iter_files(path or "."))
    if pattern:
        files = [f for f in files if fnmatch.fnmatch(f, pattern) or fnmatch.fnmatch(PurePosixPath(f).name, pattern)]
    if not files:
        where = f" under {path}" if path else ""
        return f"No files{where}" + (f" match {pattern!r}." if pattern else ".")
    shown = files[:MAX_LISTED]
    more = f"\n… and {len(files) - MAX_LISTED} more (narrow with path= or pattern=)" if len(files) > MAX_LISTED else ""
    return "\n".join(shown) + more


def search_text(ws: Workspace, pattern: str, path: str | None = None, regex: bool = False) -> str:
    """Lines matching `pattern`, grouped per file, capped; overlay-aware."""
    if not pattern:
        raise WorkspaceError("the search pattern is empty")
    try:
        compiled = re.compile(pattern if regex else re.escape(pattern))
    except re.error as e:
        raise WorkspaceError(f"invalid regular expression {pattern!r}: {e}") from None
    start = path or "."
    ws.resolve(start)  # confinement before anything runs
    overlaid = ws.overlaid_paths()
    hits: dict[str, list[tuple[int, str]]] = {}
    disk = _ripgrep(ws, pattern, start, regex)
    if disk is None:  # no ripgrep: read every file through the workspace
        candidates = ws.iter_files(start)
    else:
        hits.update({rel: found for rel, found in disk.items() if rel not in overlaid})
        prefix = ws.relative(start)
        candidates = (rel for rel in sorted(overlaid) if prefix == "." or rel.startswith(prefix.rstrip("/") + "/"))
    unsearched: list[str] = []  # text files the model might expect in the results
    for rel in candidates:
        try:
            text = ws.read_text(rel)
        except NotTextError as e:
            if e.reason != "binary":
                unsearched.append(f"{rel} ({e.reason})")
            continue
        except WorkspaceError:
            continue  # deleted or unreadable since it was listed
        found = [(n, line.rstrip("\r\n")) for n, line in enumerate(split_lines(text), 1) if compiled.search(line)]
        if found:
            hits[rel] = found
    result = _format_hits(hits, pattern)
    if unsearched:
        shown = ", ".join(unsearched[:5]) + (f" and {len(unsearched) - 5} more" if len(unsearched) > 5 else "")
        result += f"\nNot searched: {shown}."
    return result


def _ripgrep(ws: Workspace, pattern: str, start: str, regex: bool) -> dict[str, list[tuple[int, str]]] | None:
    rg = shutil.which("rg")
    if rg is None:
        return None
    command = [rg, "--line-number", "--no-heading", "--color", "never", "--with-filename", "--max-columns", "400"]
    command += ["-e", pattern] if regex else ["-F", "-e", pattern]
    command += ["--", ws.relative(start)]
    try:
        done = subprocess.run(command, cwd=ws.root, capture_output=True, text=True, timeout=30, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode not in (0, 1):  # 1: no match; anything else: let Python do it
        return None
    hits: dict[str, list[tuple[int, str]]] = {}
    for line in done.stdout.splitlines():
        rel, _, rest = line.partition(":")
        number, _, text = rest.partition(":")
        if number.isdigit():
            hits.setdefault(PurePosixPath(rel).as_posix(), []).append((int(number), text))
    return hits


def _format_hits(hits: dict[str, list[tuple[int, str]]], pattern: str) -> str:
    if not hits:
        return f"No matches for {pattern!r}."
    total = sum(len(found) for found in hits.values())
    parts, shown = [], 0
    for rel in sorted(hits):
        if shown >= MAX_MATCHES:
            break
        found = hits[rel][: min(MAX_MATCHES_PER_FILE, MAX_MATCHES - shown)]
        shown += len(found)
        lines = "\n".join(f"  {n}: {_clip(text.strip())}" for n, text in found)
        extra = len(hits[rel]) - len(found)
        parts.append(f"{rel}:\n{lines}" + (f"\n  … {extra} more in this file" if extra > 0 else ""))
    summary = f"{total} matches in {len(hits)} files"
    if shown < total:
        summary += f"; {total - shown} not shown (narrow with path= or a more specific pattern)"
    return summary + "\n" + "\n".join(parts)


def _clip(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + f" … [{len(line) - MAX_LINE_CHARS} chars]"

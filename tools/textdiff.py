"""From a file's text before and after the agent's work to what an editor applies.

`text_edits(before, after)` gives minimal line-based edits computed from the two
texts (never from the model's line numbers). Positions are (line, character) with
characters counted in code points: the language server converts them to the
encoding it negotiated with the client (utf-16 for VS Code, utf-32 for eglot).
Lines are split as LSP splits them (\\n, \\r\\n, \\r), not as str.splitlines does.
"""

import difflib
from dataclasses import dataclass

from tools.edits import split_lines


@dataclass(frozen=True)
class TextEdit:
    start: tuple[int, int]  # (line, character in code points)
    end: tuple[int, int]
    new_text: str


def text_edits(before: str, after: str) -> list[TextEdit]:
    old, new = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.append(TextEdit(_position(old, i1), _position(old, i2), "".join(new[j1:j2])))
    return edits


def _position(lines: list[str], index: int) -> tuple[int, int]:
    """Where line `index` starts; past the end, the end of the document."""
    if index < len(lines):
        return (index, 0)
    if not lines:
        return (0, 0)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return (len(lines), 0)
    return (len(lines) - 1, len(last))


def apply_text_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits (as an editor would); for tests and re-basing."""
    lines = split_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        line, character = position
        return offsets[line] + character if line < len(lines) else len(text)

    result = text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        result = result[: offset(edit.start)] + edit.new_text + result[offset(edit.end) :]
    return result


def unified_diff(path: str, before: str | None, after: str | None) -> str:
    old = split_lines(before or "")
    new = split_lines(after or "")
    source = f"a/{path}" if before is not None else "/dev/null"
    target = f"b/{path}" if after is not None else "/dev/null"
    lines = difflib.unified_diff(old, new, source, target)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)

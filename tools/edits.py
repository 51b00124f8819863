"""Applying a model's search/replace edit, tolerantly but never wrongly.

    new_text = apply_search_replace(text, search, replace)

Models copy the text they want to change imperfectly. The search block is matched
first exactly, then line by line with growing tolerance: trailing whitespace and
line endings; a uniform indentation offset (re-applied to the replacement); a stray
or missing blank line. At every level the block must match exactly one place: two
or more is refused (never the first of several), none moves to the next level.
When nothing matches, EditError shows the closest real lines, or says the edit
looks already applied. A wrong application is the worst outcome; a refusal is cheap.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class EditError(Exception):
    """The edit could not be applied; the message says what the model should change."""


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split as LSP counts lines (\\n, \\r\\n, \\r only)."""
    return _LINE.findall(text)


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"


@dataclass(frozen=True)
class _Match:
    start: int  # first line index in the file
    end: int  # one past the last line
    indent_shift: int = 0  # columns the file is indented beyond the search block
    file_indent: str = ""  # the first matched line's indentation, as the file writes it
    search_indent: str = ""  # the search block's first line indentation, as the model wrote it


def apply_search_replace(text: str, search: str, replace: str) -> str:
    if not search.strip():
        if not text.strip():
            return replace
        raise EditError(
            "The search text is empty. Give the exact lines to replace (a few lines of "
            "context make it unique); use write_file to replace a whole file."
        )
    newline = newline_of(text)
    replace = replace.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)
    exact = _exact_positions(text, search)
    if len(exact) > 1:
        raise _ambiguous(text, [text.count("\n", 0, p) + 1 for p in exact])
    # A block of lines must match from the start of a line: "value = load()\n..." found
    # inside "old_value = load()\n..." is not the place, whatever the indentation.
    multiline = "\n" in search.rstrip("\r\n") or "\r" in search.rstrip("\r\n")
    if len(exact) == 1 and (not multiline or exact[0] == 0 or text[exact[0] - 1] in "\r\n"):
        start = exact[0]
        return text[:start] + _fit_final_newline(search, replace) + text[start + len(search) :]
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    wanted = search.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while wanted and not wanted[-1].strip():
        wanted.pop()
    while wanted and not wanted[0].strip():
        wanted.pop(0)
    for finder in (_match_rstripped, _match_shifted, _match_ignoring_blank_lines):
        matches = finder(lines, wanted)
        if len(matches) == 1:
            return _splice(text, matches[0], replace, newline)
        if len(matches) > 1:
            raise _ambiguous(text, [m.start + 1 for m in matches])
    raise _not_found(text, lines, wanted, replace)


def _exact_positions(text: str, search: str) -> list[int]:
    positions, start = [], 0
    while (index := text.find(search, start)) != -1:
        positions.append(index)
        start = index + 1
    return positions


def _fit_final_newline(search: str, replace: str) -> str:
    """The replacement ends as the search did: with its line break, or without one."""
    if search.endswith(("\n", "\r")) and replace and not replace.endswith(("\n", "\r")):
        return replace + ("\r\n" if search.endswith("\r\n") else search[-1])
    if not search.endswith(("\n", "\r")) and replace.endswith(("\n", "\r")):
        return replace.rstrip("\r\n")
    return replace


# -- line matchers, from strict to tolerant ------------------------------------


def _windows(lines: list[str], wanted: list[str], same: Callable[[str, str], bool]) -> list[_Match]:
    size = len(wanted)
    return [
        _Match(start, start + size)
        for start in range(len(lines) - size + 1)
        if all(same(lines[start + i], wanted[i]) for i in range(size))
    ]


def _match_rstripped(lines: list[str], wanted: list[str]) -> list[_Match]:
    return _windows(lines, wanted, lambda a, b: a.rstrip() == b.rstrip())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _match_shifted(lines: list[str], wanted: list[str]) -> list[_Match]:
    """The whole block indented by the same number of columns more (or less) than the file."""
    first = next((i for i, line in enumerate(wanted) if line.strip()), None)
    if first is None:
        return []
    matches = []
    for start in range(len(lines) - len(wanted) + 1):
        shift = _indent(lines[start + first]) - _indent(wanted[first])
        if shift == 0:
            continue
        if all(_same_shifted(lines[start + i], wanted[i], shift) for i in range(len(wanted))):
            indents = _leading(lines[start + first]), _leading(wanted[first])
            matches.append(_Match(start, start + len(wanted), shift, *indents))
    return matches


def _leading(line: str) -> str:
    return line[: _indent(line)]


def _same_shifted(actual: str, wanted: str, shift: int) -> bool:
    if not wanted.strip():
        return not actual.strip()
    return _indent(actual) - _indent(wanted) == shift and actual.strip() == wanted.strip()


def _match_ignoring_blank_lines(lines: list[str], wanted: list[str]) -> list[_Match]:
    """The non-blank lines in order, with blank lines skipped on either side."""
    content = [line for line in wanted if line.strip()]
    if not content:
        return []
    numbered = [(i, line) for i, line in enumerate(lines) if line.strip()]
    first_wanted = wanted[next(i for i, line in enumerate(wanted) if line.strip())]
    matches = []
    for k in range(len(numbered) - len(content) + 1):
        window = numbered[k : k + len(content)]
        shift = _indent(window[0][1]) - _indent(first_wanted)
        if all(_same_shifted(line, want, shift) for (_, line), want in zip(window, content, strict=True)):
            indents = _leading(window[0][1]), _leading(first_wanted)
            matches.append(_Match(window[0][0], window[-1][0] + 1, shift, *indents))
    return matches


# -- applying and explaining ---------------------------------------------------


def _splice(text: str, match: _Match, replace: str, newline: str) -> str:
    original = split_lines(text)
    new_lines = replace.split(newline) if replace else []
    if replace.endswith(newline):
        new_lines.pop()
    if match.indent_shift:
        new_lines = [_reindent(line, match) for line in new_lines]
    replaced = "".join(line + newline for line in new_lines)
    tail = original[match.end :]
    if not tail and not original[match.end - 1].endswith(("\n", "\r")):
        replaced = replaced.removesuffix(newline)  # the file had no final newline; keep it so
    return "".join(original[: match.start]) + replaced + "".join(tail)


def _reindent(line: str, match: _Match) -> str:
    """The model's indentation prefix replaced by the file's own (tabs stay tabs)."""
    if not line.strip():
        return line
    if line.startswith(match.search_indent):
        return match.file_indent + line[len(match.search_indent) :]
    if match.indent_shift > 0:  # less indented than the block's first line
        return match.file_indent[: match.indent_shift] + line
    return line[min(-match.indent_shift, _indent(line)) :]


def _ambiguous(text: str, line_numbers: list[int]) -> EditError:
    where = ", ".join(str(n) for n in line_numbers[:10])
    return EditError(
        f"The search text matches {len(line_numbers)} places (lines {where}). Nothing was changed. "
        "Include more surrounding lines so that it matches exactly one place."
    )


def _not_found(text: str, lines: list[str], wanted: list[str], replace: str) -> EditError:
    if _looks_applied(lines, replace):
        return EditError(
            "The search text was not found, but the replacement text is already in the file: "
            "the edit looks already applied. Read the file to check."
        )
    closest = _closest_window(lines, wanted)
    if closest is None:
        return EditError("The search text was not found in the file. Read the file and copy the lines exactly.")
    start, ratio = closest
    shown = "\n".join(f"{start + i + 1:>5}│ {line}" for i, line in enumerate(lines[start : start + len(wanted)]))
    return EditError(
        f"The search text was not found. The closest lines ({ratio:.0%} similar) are:\n{shown}\n"
        "Copy the lines to replace exactly from the file (read_file shows them), then try again."
    )


def _looks_applied(lines: list[str], replace: str) -> bool:
    """The replacement's lines (a substantial block, not a word) are already in the file, in order."""
    block = [line.strip() for line in replace.splitlines() if line.strip()]
    if sum(len(line) for line in block) < 20:
        return False
    content = [line.strip() for line in lines if line.strip()]
    size = len(block)
    return any(content[i : i + size] == block for i in range(len(content) - size + 1))


def _closest_window(lines: list[str], wanted: list[str]) -> tuple[int, float] | None:
    if not lines or not wanted:
        return None
    target = "\n".join(line.strip() for line in wanted)
    best: tuple[int, float] | None = None
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in range(max(1, len(lines) - len(wanted) + 1)):
        matcher.set_seq1("\n".join(line.strip() for line in lines[start : start + len(wanted)]))
        floor = best[1] if best else 0.3
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue  # cheap upper bounds first: ratio() is quadratic
        ratio = matcher.ratio()
        if ratio > floor:
            best = (start, ratio)
    return best

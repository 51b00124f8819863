"""Edit-corpus benchmark for apply_search_replace.

From real Python files (this repository's and a sample of the standard library):
known-good edits, then their search blocks corrupted the ways models corrupt them
(indentation shifted, trailing whitespace, a blank line missing or added, CRLF),
which must apply to exactly the expected text; and blocks that must be refused
(ambiguous: text that occurs twice; substantially different; from another file).
Targets: >= 98% of should-apply cases applied correctly, 100% of should-refuse
refused, zero wrong applications. Writes the "Edits" section of bench/RESULTS.md.

    python -m bench.edits
"""

import random
import re
import sysconfig
from collections import Counter, defaultdict
from pathlib import Path

from bench.results import machine, write_section
from tools.edits import EditError, apply_search_replace

ROOT = Path(__file__).resolve().parent.parent
STDLIB_SAMPLE = (
    "argparse",
    "json/decoder",
    "textwrap",
    "difflib",
    "shutil",
    "pathlib",
    "dataclasses",
    "csv",
    "fractions",
)
PER_FILE = 6
SEED = 20261125


def corpus_files() -> list[Path]:
    ours = sorted(p for folder in ("agent", "tools") for p in (ROOT / folder).rglob("*.py") if p.stat().st_size > 2000)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return ours + [stdlib / f"{name}.py" for name in STDLIB_SAMPLE if (stdlib / f"{name}.py").exists()]


def blocks(lines: list[str], text: str, rng: random.Random, count: int) -> list[tuple[int, int]]:
    """(start, end) line ranges of 3-8 lines, indented, unique in the file, with content."""
    found = []
    for _ in range(count * 20):
        if len(found) == count:
            break
        size = rng.randint(3, 8)
        start = rng.randrange(0, max(1, len(lines) - size))
        block = lines[start : start + size]
        if not block[0].strip() or not block[-1].strip() or sum(1 for line in block if line.strip()) < 3:
            continue
        joined = "".join(block)
        if text.count(joined) != 1 or (start, start + size) in found:
            continue
        found.append((start, start + size))
    return found


def modify(block: str) -> str:
    """The edit: a marker comment after the block's last line, at its indentation."""
    lines = block.splitlines(keepends=True)
    last = next(line for line in reversed(lines) if line.strip())
    indent = last[: len(last) - len(last.lstrip())]
    newline = "\r\n" if block.endswith("\r\n") else "\n"
    return block + f"{indent}# edited by the benchmark{newline}"


def shift(block: str, columns: int) -> str:
    out = []
    for line in block.splitlines(keepends=True):
        if not line.strip():
            out.append(line)
        elif columns > 0:
            out.append(" " * columns + line)
        else:
            out.append(line[min(-columns, len(line) - len(line.lstrip(" "))) :])
    return "".join(out)


def min_indent(block: str) -> int:
    return min(len(line) - len(line.lstrip(" ")) for line in block.splitlines() if line.strip())


def should_apply_cases(text: str, block: str, rng: random.Random):
    """(kind, file text, search, replace, expected) for each corruption of one block."""
    edited = modify(block)
    yield "exact", text, block, edited, text.replace(block, edited)
    indent = min_indent(block)
    delta = -indent if indent else 4
    yield "indentation shifted", text, shift(block, delta), shift(edited, delta), text.replace(block, edited)
    lines = block.splitlines(keepends=True)
    sloppy = "".join(
        line.rstrip("\n") + " " * rng.randint(1, 3) + "\n" if rng.random() < 0.6 else line for line in lines
    )
    yield "trailing whitespace", text, sloppy, edited, text.replace(block, edited)
    inner_blank = [i for i, line in enumerate(lines[1:-1], 1) if not line.strip()]
    if inner_blank:
        i = inner_blank[0]
        without = "".join(lines[:i] + lines[i + 1 :])
        yield "blank line missing", text, without, modify(without), text.replace(block, modify(without))
    middle = rng.randint(1, len(lines) - 1)
    stray = "".join(lines[:middle] + ["\n"] + lines[middle:])
    yield "blank line added", text, stray, edited, text.replace(block, edited)
    yield (
        "CRLF search, LF file",
        text,
        block.replace("\n", "\r\n"),
        edited.replace("\n", "\r\n"),
        text.replace(block, edited),
    )
    crlf = text.replace("\n", "\r\n")
    yield (
        "LF search, CRLF file",
        crlf,
        block,
        edited,
        crlf.replace(block.replace("\n", "\r\n"), edited.replace("\n", "\r\n")),
    )


def rename_identifiers(block: str, rng: random.Random) -> str:
    """Substantially different: most identifiers renamed."""
    return re.sub(
        r"\b([a-z_][a-z0-9_]{2,})\b", lambda m: m.group(1) + "_x" if rng.random() < 0.7 else m.group(1), block
    )


def main() -> None:
    rng = random.Random(SEED)
    texts = {path: path.read_text() for path in corpus_files()}
    results: dict[str, Counter] = defaultdict(Counter)
    examples_of_wrong: list[str] = []
    for path, text in texts.items():
        lines = text.splitlines(keepends=True)
        for start, end in blocks(lines, text, rng, PER_FILE):
            block = "".join(lines[start:end])
            for kind, file_text, search, replace, expected in should_apply_cases(text, block, rng):
                try:
                    outcome = "applied" if apply_search_replace(file_text, search, replace) == expected else "wrong"
                except EditError:
                    outcome = "refused"
                results[kind][outcome] += 1
                if outcome == "wrong" and len(examples_of_wrong) < 5:
                    examples_of_wrong.append(f"{path.name}:{start + 1} ({kind})")
            different = rename_identifiers(block, rng)
            if different != block:
                _refuse(results, "substantially different", text, different, modify(different))
            other = rng.choice([p for p in texts if p != path])
            other_lines = texts[other].splitlines(keepends=True)
            for o_start, o_end in blocks(other_lines, texts[other], rng, 1):
                foreign = "".join(other_lines[o_start:o_end])
                if foreign not in text:
                    _refuse(results, "from another file", text, foreign, modify(foreign))
        counts = Counter(line for line in lines if len(line.strip()) >= 8)
        repeated = [line for line, n in counts.items() if n >= 2 and text.count(line) >= 2]
        for line in rng.sample(repeated, min(PER_FILE, len(repeated))):
            _refuse(results, "ambiguous (occurs twice or more)", text, line, modify(line))

    apply_kinds = [
        "exact",
        "indentation shifted",
        "trailing whitespace",
        "blank line missing",
        "blank line added",
        "CRLF search, LF file",
        "LF search, CRLF file",
    ]
    refuse_kinds = ["ambiguous (occurs twice or more)", "substantially different", "from another file"]
    rows = ["| case | cases | applied correctly | refused | **wrong** |", "|---|---:|---:|---:|---:|"]
    for kind in apply_kinds:
        c = results[kind]
        rows.append(f"| should apply: {kind} | {c.total()} | {c['applied']} | {c['refused']} | {c['wrong']} |")
    for kind in refuse_kinds:
        c = results[kind]
        rows.append(f"| should refuse: {kind} | {c.total()} | — | {c['refused']} | {c['wrong']} |")
    applied = sum(results[k]["applied"] for k in apply_kinds)
    total_apply = sum(results[k].total() for k in apply_kinds)
    refused = sum(results[k]["refused"] for k in refuse_kinds)
    total_refuse = sum(results[k].total() for k in refuse_kinds)
    wrong = sum(results[k]["wrong"] for k in apply_kinds + refuse_kinds)
    body = [
        f"Run: {machine()}. Corpus: {len(texts)} Python files ({sum(len(t) for t in texts.values()) // 1024} KiB), "
        f"this repository's and the standard library's ({', '.join(STDLIB_SAMPLE)}); seed {SEED}.",
        "",
        *rows,
        "",
        f"- Should apply: **{applied}/{total_apply} = {applied / total_apply:.1%}** applied to exactly the expected text "
        "(target ≥ 98%).",
        f"- Should refuse: **{refused}/{total_refuse} = {refused / total_refuse:.1%}** refused (target 100%).",
        f"- Wrong applications: **{wrong}** (target 0)" + (f": {', '.join(examples_of_wrong)}" if wrong else "") + ".",
    ]
    write_section("Edits", "\n".join(body))
    print("\n".join(body))


def _refuse(results, kind: str, text: str, search: str, replace: str) -> None:
    try:
        apply_search_replace(text, search, replace)
        results[kind]["wrong"] += 1
    except EditError:
        results[kind]["refused"] += 1


if __name__ == "__main__":
    main()

"""Workspace benchmark: the shadow copy of a 5,000-file workspace and a one-file lint.

The shadow copy's first sync (cloned or copied) is measured against hard-linking
the same tree (the cheapest possible mirror, which agentls refuses because a test
could write the user's files through it); then a re-sync with nothing changed and
one with one file edited in the overlay. The lint round trip is `lint` of one
edited file through ruff's stdin, as the agent and the lint guard use it.
Writes the "Workspace" section of bench/RESULTS.md.

    python -m bench.workspace
"""

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.results import machine, write_section
from tools import lint
from tools.shadow import ShadowCopy
from tools.workspace import Workspace

FILES = 5000


def make_workspace(root: Path) -> None:
    for n in range(FILES):
        folder = root / f"pkg{n % 50:02}" / f"sub{n % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "".join(f"def f_{n}_{k}(x):\n    return x * {k}\n\n\n" for k in range(30))
        (folder / f"module_{n}.py").write_text(f'"""Module {n}."""\n\n\n{body}')


def hardlink_tree(source: Path, target: Path) -> None:
    for directory, _dirs, files in os.walk(source):
        destination = target / Path(directory).relative_to(source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in files:
            os.link(os.path.join(directory, name), destination / name)


def timed(action) -> float:
    os.sync()  # pending writeback from earlier steps would otherwise slow this one down
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="agentls-bench-") as scratch:
        root = Path(scratch) / "ws"
        make_workspace(root)
        size = sum(p.stat().st_size for p in root.rglob("*.py"))
        links = [timed(lambda i=i: hardlink_tree(root, Path(scratch) / f"links{i}")) for i in range(3)]
        firsts, unchanged, one_edit = [], [], []
        for _ in range(3):
            ws = Workspace(root)
            shadow = ShadowCopy(root)
            firsts.append(timed(lambda s=shadow, w=ws: s.sync(w)))
            unchanged.append(timed(lambda s=shadow, w=ws: s.sync(w)))
            ws.write_text("pkg00/sub0/module_0.py", "x = 1\n")
            one_edit.append(timed(lambda s=shadow, w=ws: s.sync(w)))
            shadow.close()
        ws = Workspace(root)
        text = ws.read_text("pkg00/sub0/module_0.py") + "\nimport os\n"
        lint.check_text(ws, "pkg00/sub0/module_0.py", text)  # warm-up
        lints = [timed(lambda: lint.check_text(ws, "pkg00/sub0/module_0.py", text)) for _ in range(20)]
        guards = [
            timed(lambda: lint.guard_edit(ws, "pkg00/sub0/module_0.py", text, text + "y = 2\n")) for _ in range(10)
        ]
        shutil.rmtree(root)

    ms = lambda values: f"{statistics.median(values) * 1e3:.0f} ms"  # noqa: E731
    body = [
        f"Run: {machine()}. A generated workspace of {FILES:,} Python files ({size // 1024 // 1024} MiB) on this "
        "machine's disk (ext4: no copy-on-write clones, so files are copied). Medians of 3 (lint: 20).",
        "",
        "| operation | time |",
        "|---|---:|",
        f"| shadow copy, first sync (copy {FILES:,} files) | {ms(firsts)} |",
        f"| peer: hard-link the same tree (refused: tests could write the user's files through it) | {ms(links)} |",
        f"| shadow copy, re-sync, nothing changed (stat walk) | {ms(unchanged)} |",
        f"| shadow copy, re-sync after one overlay edit | {ms(one_edit)} |",
        f"| `lint` of one edited file (ruff via stdin, project config) | {ms(lints)} |",
        f"| lint guard on one edit (two ruff runs: before and after) | {ms(guards)} |",
        "",
        f"- The first sync costs {statistics.median(firsts) / statistics.median(links):.1f}× hard-linking, "
        "once per workspace per server session; every later sync is a stat walk plus the changed files.",
    ]
    write_section("Workspace", "\n".join(body))
    print("\n".join(body))


if __name__ == "__main__":
    main()

"""Robustness figures: runs tests/robustness (the hardening suite) and tabulates what
it injected — messages fuzzed, faults per kind, concurrent tasks — with how many were
survived, lost data or leaked a secret. Writes the "Robustness" section of
bench/RESULTS.md.

    python -m bench.robustness
"""

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from bench.results import machine, write_section


def run_suite(report: Path) -> int:
    env = dict(os.environ, AGENTLS_ROBUSTNESS_REPORT=str(report))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/robustness"]
    return subprocess.run(command, env=env).returncode


def table(rows: list[dict]) -> str:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for field in ("injected", "survived", "lost", "leaked"):
            totals[row["kind"]][field] += row[field]
    lines = ["| fault | injected | survived | lost data | leaked |", "|---|---:|---:|---:|---:|"]
    for kind in sorted(totals):
        t = totals[kind]
        lines.append(f"| {kind} | {t['injected']:,} | {t['survived']:,} | {t['lost']} | {t['leaked']} |")
    all_ = {f: sum(t[f] for t in totals.values()) for f in ("injected", "survived", "lost", "leaked")}
    lines.append(
        f"| **total** | **{all_['injected']:,}** | **{all_['survived']:,}** | **{all_['lost']}** | **{all_['leaked']}** |"
    )
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.jsonl"
        status = run_suite(report)
        rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    body = (
        f"{machine()}. `tests/robustness` (also part of `make test`), run with "
        f"`AGENTLS_ROBUSTNESS_REPORT` set; suite exit status {status}.\n\n"
        "Survived: the server kept serving (a normal request still worked afterwards) or the run "
        "ended cleanly with a clear error, within its time budget. Lost data: a user file changed, "
        "or anything written outside the overlay. Leaked: a sentinel API key seen in a log, "
        "a message to the client, a recording, an error or a result.\n\n" + table(rows)
    )
    write_section("Robustness", body)
    print(body)
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Writes one benchmark's section into bench/RESULTS.md, leaving the other sections alone."""

import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"
HEADER = "# Benchmark results\n\nWritten by `make bench`; each section comes from one run of its script.\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{when}, commit {commit or '?'}, Python {platform.python_version()}, {cpu}"


def write_section(name: str, body: str) -> None:
    """Replace the section `## name` (up to the next `## `) with `body`."""
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    start_marker = f"<!-- {name}: start -->"
    end_marker = f"<!-- {name}: end -->"
    section = f"{start_marker}\n## {name}\n\n{body.strip()}\n{end_marker}"
    if start_marker in text and end_marker in text:
        before, rest = text.split(start_marker, 1)
        _, after = rest.split(end_marker, 1)
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text)

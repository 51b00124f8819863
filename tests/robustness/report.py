"""Counts behind the "Robustness" table of bench/RESULTS.md.

A robustness test asserts its property (every fault survived, nothing lost, nothing
leaked) and also tallies what it tried:

    tally("workspace: file deleted mid-task", injected=1, survived=1)

When AGENTLS_ROBUSTNESS_REPORT names a file, each tally is appended to it as a JSON
line; `python -m bench.robustness` runs this suite with it set and writes the table.
Without it, `tally` does nothing, so `make test` writes no files.
"""

import json
import os
import threading

_lock = threading.Lock()


def tally(kind: str, *, injected: int, survived: int, lost: int = 0, leaked: int = 0) -> None:
    """Record `injected` faults of one kind: how many the system survived (kept
    serving, ended cleanly, gave a clear error), how many lost or damaged user data,
    how many leaked a secret."""
    path = os.environ.get("AGENTLS_ROBUSTNESS_REPORT")
    if not path:
        return
    row = {"kind": kind, "injected": injected, "survived": survived, "lost": lost, "leaked": leaked}
    with _lock, open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")

"""The executor's whole escape and resource corpus (tests/helpers/executor_corpus.py),
run as one fault injection each: every escape is refused or contained (no file
written, no program started, nothing of the host's read), every bomb ends in a clear
InterpreterError, and the executor works afterwards. Tallied for bench/RESULTS.md;
tests/agent/test_executor_escapes.py runs the same entries one test each.
"""

import re
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import pytest

from agent.executor import InterpreterError, LocalPythonExecutor
from tests.helpers.executor_corpus import (
    FILE_WRITES,
    POLICY_ESCAPES,
    PROGRAM_STARTS,
    RESOURCE_BOMBS,
    RUNTIME_ESCAPES,
    SANDBOX_IMPORTS,
    Bomb,
)
from tests.robustness.report import tally


def outcome(ex: LocalPythonExecutor, code: str) -> tuple[bool, str]:
    """(refused, everything the model would see)."""
    try:
        out = ex(textwrap.dedent(code))
    except InterpreterError as e:
        return True, f"{e}\n{e.logs}"
    return False, f"{out.output!r}\n{out.logs}"


def alive(ex: LocalPythonExecutor) -> bool:
    try:
        return ex("6 * 7").output == 42
    except InterpreterError:
        return False


def test_every_escape_attempt_is_refused_or_contained(tmp_path):
    survived = []
    with LocalPythonExecutor(timeout_seconds=5) as ex:
        for code in POLICY_ESCAPES + RUNTIME_ESCAPES:
            refused, seen = outcome(ex, code)
            survived.append(refused and "root:" not in seen and alive(ex))
    with LocalPythonExecutor(additional_authorized_imports=SANDBOX_IMPORTS, timeout_seconds=5) as ex:
        ex.start()
        report = ex.sandbox_report or {}
        if sys.platform == "linux" and not (report.get("landlock") and report.get("seccomp")):
            pytest.skip(f"this kernel lacks Landlock or seccomp: {report.get('notes')}")
        marker, target = tmp_path / "ran", tmp_path / "written.txt"
        for code in PROGRAM_STARTS:
            refused, seen = outcome(ex, code.format(marker=str(marker)))
            could_not_spawn = "32512" in seen  # os.system: status 127, the shell never ran
            survived.append((refused or could_not_spawn) and not marker.exists() and alive(ex))
        for code in FILE_WRITES:
            refused, _ = outcome(ex, code.format(target=str(target)))
            survived.append(refused and not target.exists() and alive(ex))
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    tally("executor: escape attempts", injected=len(survived), survived=sum(survived), lost=len(leftovers))
    assert all(survived), [i for i, ok in enumerate(survived) if not ok]
    assert leftovers == []


def survives(bomb: Bomb) -> bool:
    with LocalPythonExecutor(**bomb.options) as ex:
        ex("kept = 'yes'")
        refused, seen = outcome(ex, bomb.code)
        clear = refused and re.search(bomb.error, seen, re.DOTALL) is not None
        bounded = len(seen) <= ex.max_print_outputs_length + 1_000  # the logs, the error and a note
        return clear and bounded and alive(ex)


def test_every_resource_bomb_is_survived():
    # Each bomb has its own executor, as concurrent tasks do; running them side by side
    # also checks that one task's bomb leaves the others' executors alone.
    with ThreadPoolExecutor(max_workers=4) as pool:
        survived = list(pool.map(survives, RESOURCE_BOMBS))
    tally("executor: resource bombs", injected=len(survived), survived=sum(survived))
    assert all(survived), [bomb.name for bomb, ok in zip(RESOURCE_BOMBS, survived, strict=True) if not ok]

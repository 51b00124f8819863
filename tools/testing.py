"""Running the workspace's tests (pytest) in the shadow copy, with a timeout.

This is the one tool that executes the repository's own code, so the caller runs
it only in a trusted workspace. It uses the workspace's interpreter (the
agentls.python setting, else a .venv/venv in the workspace, else agentls's own),
because the tests need the project's dependencies. The output is trimmed for a
model: each failure's head and tail, the summary, no durations.
"""

import contextlib
import ctypes
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.workspace import Workspace, WorkspaceError

PR_SET_PDEATHSIG = 1
# Loaded here, not in the forked child (where loading a library could deadlock).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
DEFAULT_TIMEOUT = 120.0
MAX_OUTPUT_BYTES = 2 * 1024 * 1024
MAX_REPORT_CHARS = 6000
FAILURE_HEAD, FAILURE_TAIL = 15, 12
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected|warnings?)")
_DURATION = re.compile(r" in \d+(?:\.\d+)?s(?: \(\d+:\d+:\d+\))?")
_CREDENTIAL = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)


@dataclass
class TestReport:
    __test__ = False  # not a pytest test class

    command: list[str]
    exit_code: int | None
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    timed_out: bool = False
    cancelled: bool = False
    output: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.timed_out:
            return "timed out"
        if self.exit_code == 5:
            return "no tests"
        if self.exit_code == 0:
            return "passed"
        return "failed" if self.failed else "error"

    def describe(self) -> str:
        if self.timed_out or self.cancelled:
            head = f"Tests {self.verdict}."
        else:
            summary = ", ".join(f"{n} {kind}" for kind, n in self.counts.items()) or "no test results"
            head = f"Tests {self.verdict}: {summary}."
        return f"{head}\n{self.output}".rstrip()


def workspace_python(ws: Workspace, configured: str | None = None) -> str:
    if configured:
        return configured
    for candidate in (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe", "venv/Scripts/python.exe"):
        path = ws.root / candidate
        if path.exists():
            return str(path)
    return sys.executable


def build_test_command(python: str, selection: str | None, configured: list[str] | None) -> list[str]:
    pytest = [python, "-m", "pytest", "-x", "-q", "--color=no", "-p", "no:cacheprovider"]
    base = list(configured) if configured else pytest
    return base + (shlex.split(selection) if selection else [])


def check_selection(ws: Workspace, selection: str | None) -> None:
    """Test selections name files inside the workspace (node ids, -k expressions)."""
    if not selection:
        return
    try:
        words = shlex.split(selection)
    except ValueError as e:
        raise WorkspaceError(f"cannot read the test selection {selection!r}: {e}") from None
    for word in words:
        if not word.startswith("-"):
            ws.resolve(word.split("::", 1)[0])


def run_tests(
    ws: Workspace,
    shadow_root: Path,
    selection: str | None = None,
    python: str | None = None,
    command: list[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    cancelled: threading.Event | None = None,
) -> TestReport:
    check_selection(ws, selection)
    interpreter = workspace_python(ws, python)
    argv = build_test_command(interpreter, selection, command)
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(
                argv,
                cwd=shadow_root,
                env=_environment(shadow_root, own_interpreter=interpreter == sys.executable),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a timeout kills its children too
                preexec_fn=_die_with_parent,
            )
        except OSError as e:
            raise WorkspaceError(f"cannot start the tests ({argv[0]}): {e.strerror}") from None
        timed_out, stopped = _wait(process, timeout, cancelled or threading.Event())
        text = _read_bounded(output)
    report = TestReport(argv, None if (timed_out or stopped) else process.returncode, timed_out=timed_out)
    report.cancelled = stopped
    if "No module named pytest" in text:
        raise WorkspaceError(f"pytest is not installed for {argv[0]}: install it there, or set agentls.python")
    _read_counts(report, text)
    report.output = trim_output(text)
    if report.counts:  # pytest's totals line repeats what describe() says first
        lines = report.output.splitlines()
        while lines and (_COUNT.search(lines[-1]) or not lines[-1].strip("= ")):
            lines.pop()
        report.output = "\n".join(lines)
    return report


def _environment(shadow_root: Path, own_interpreter: bool) -> dict[str, str]:
    # No credentials: the tests are the workspace's code, and a test the agent edited
    # must not be able to read the user's model keys.
    env = {name: value for name, value in os.environ.items() if not _CREDENTIAL.search(name)}
    if own_interpreter:
        # Falling back to agentls's interpreter: its pytest plugins are not the project's.
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    paths = [str(shadow_root)] + ([str(shadow_root / "src")] if (shadow_root / "src").is_dir() else [])
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # pytest sizes its summary lines to the terminal: one width, so a run reads the same
    # from an editor, a terminal or CI (and replayed recordings match).
    env["COLUMNS"], env["LINES"] = "120", "40"
    # Nor does pytest truncate its summary under CI (CI, BUILD_NUMBER): the agent's runs
    # read the same wherever agentls itself runs.
    env.pop("CI", None)
    env.pop("BUILD_NUMBER", None)
    return env


def _die_with_parent() -> None:
    """In the test run, before pytest starts: the kernel kills it when the thread that
    started it dies (Linux). Our timeout cannot stop a run whose server was killed
    (SIGKILL, a crash), and a hanging test would otherwise run on forever."""
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _wait(process: subprocess.Popen, timeout: float, cancelled: threading.Event) -> tuple[bool, bool]:
    """(timed out, cancelled); the process group is killed in either case, and also
    when pytest exits: a process a test started and left running dies with the run."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if cancelled.is_set() or time.monotonic() > deadline:
            _kill_group(process)
            return (not cancelled.is_set(), cancelled.is_set())
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)
    # pytest has exited; its group lives on while a test's leftovers do (Linux does not
    # reuse a process id that is still some group's id).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    return (False, False)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _read_bounded(output) -> str:
    size = output.seek(0, os.SEEK_END)
    output.seek(0)
    if size <= MAX_OUTPUT_BYTES:
        return output.read().decode("utf-8", "replace")
    head = output.read(MAX_OUTPUT_BYTES // 2)
    output.seek(size - MAX_OUTPUT_BYTES // 2)
    tail = output.read()
    omitted = f"\n… [{size - MAX_OUTPUT_BYTES} bytes of output omitted] …\n"
    return head.decode("utf-8", "replace") + omitted + tail.decode("utf-8", "replace")


def _read_counts(report: TestReport, text: str) -> None:
    lines = [line for line in text.splitlines() if _COUNT.search(line)]
    if not lines:
        return
    for number, kind in _COUNT.findall(lines[-1]):
        kind = {"error": "errors", "warning": "warnings"}.get(kind, kind)
        report.counts[kind] = int(number)
    report.passed = report.counts.get("passed", 0)
    report.failed = report.counts.get("failed", 0)
    report.errors = report.counts.get("errors", 0)
    report.skipped = report.counts.get("skipped", 0)


def trim_output(text: str) -> str:
    """Each failure's head and tail, the short summary and the totals; durations stripped."""
    lines = [_DURATION.sub("", line) for line in text.splitlines()]
    sections: list[list[str]] = [[]]
    for line in lines:
        if re.match(r"^_{3,} .* _{3,}$", line) or re.match(r"^={3,} .* ={3,}$", line):
            sections.append([])
        sections[-1].append(line)
    kept: list[str] = []
    for section in sections:
        if section and section[0].startswith("_") and len(section) > FAILURE_HEAD + FAILURE_TAIL:
            omitted = len(section) - FAILURE_HEAD - FAILURE_TAIL
            section = section[:FAILURE_HEAD] + [f"    … [{omitted} lines]"] + section[-FAILURE_TAIL:]
        kept.extend(section)
    result = "\n".join(line for line in kept if not re.fullmatch(r"[.sFExX]+ *(\[\s*\d+%\])?", line.strip()))
    if len(result) > MAX_REPORT_CHARS:
        half = MAX_REPORT_CHARS // 2
        result = f"{result[:half]}\n… [{len(result) - MAX_REPORT_CHARS} chars] …\n{result[-half:]}"
    return result.strip()

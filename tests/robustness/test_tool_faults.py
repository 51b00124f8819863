"""Tool faults: a test suite that hangs, one that leaves processes running after pytest
exits, ruff unavailable (package missing, binary gone or not executable, not on PATH),
and tools that raise unexpected exceptions (huge messages, a broken __str__). Each
must reach the model as a clear observation, kill what it started, and let the agent
go on to its final answer.

Tallied per fault injected; a test's faults count as survived only when all its checks hold.
"""

import sys
import time
from pathlib import Path

import pytest

from agent import CodeAgent, ScriptedModel, ToolCallingAgent, tool
from agent.errors import AgentExecutionError
from tests.robustness.report import tally
from tools import lint
from tools.edits import EditError
from tools.toolset import ToolContext, ToolSettings, workspace_tools
from tools.workspace import Workspace, WorkspaceError

TEST_TIMEOUT = 2.0
NO_HANG_SECONDS = 60  # far above any of these; only a hang reaches it


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may be slow to reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def all_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(running(pid) for pid in pids)


def read_pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "app.py").write_text("def greet():\n    return 'hi'\n")
    (root / "test_app.py").write_text("from app import greet\n\n\ndef test_greet():\n    assert greet() == 'hi'\n")
    return root


@pytest.fixture
def tools(workspace):
    context = ToolContext(Workspace(workspace), ToolSettings(trusted=True, test_timeout=TEST_TIMEOUT))
    yield {t.name: t for t in workspace_tools(context)}
    context.close()


def hanging_suite(root: Path, pids: Path) -> None:
    (root / "test_hang.py").write_text(
        "import os, subprocess, time\n\n\ndef test_hang():\n"
        "    child = subprocess.Popen(['sleep', '300'])\n"
        f"    with open({str(pids)!r}, 'a') as f:\n"
        "        f.write(f'{os.getpid()}\\n{child.pid}\\n')\n"
        "    time.sleep(300)\n"
    )


def test_a_hanging_test_suite_is_stopped_by_the_timeout(workspace, tools, tmp_path):
    pids = tmp_path / "pids"
    hanging_suite(workspace, pids)
    started = time.monotonic()
    seen = tools["run_tests"]()
    elapsed = time.monotonic() - started
    checks = [
        seen.startswith("Tests timed out."),
        elapsed < TEST_TIMEOUT + NO_HANG_SECONDS,
        len(read_pids(pids)) == 2 and all_gone(read_pids(pids)),  # pytest and the test's child
        tools["run_tests"]("test_app.py").startswith("Tests passed"),  # and the next run works
    ]
    tally("tool: test suite hangs", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), seen


def test_processes_a_test_leaves_running_are_killed_when_pytest_exits(workspace, tools, tmp_path):
    pids = tmp_path / "pids"
    (workspace / "test_leaves.py").write_text(
        "import os, subprocess, time\n\n\ndef test_leaves_processes():\n"
        "    child = subprocess.Popen(['sleep', '300'])  # holds pytest's output file open\n"
        "    forked = os.fork()\n"
        "    if forked == 0:\n"
        "        time.sleep(300)\n"
        "        os._exit(0)\n"
        f"    with open({str(pids)!r}, 'w') as f:\n"
        "        f.write(f'{child.pid}\\n{forked}\\n')\n"
    )
    started = time.monotonic()
    seen = tools["run_tests"]()
    elapsed = time.monotonic() - started
    checks = [
        seen.startswith("Tests passed: 2 passed."),
        elapsed < NO_HANG_SECONDS,
        len(read_pids(pids)) == 2 and all_gone(read_pids(pids)),
    ]
    tally("tool: test suite leaves processes running", injected=2, survived=2 * all(checks))
    assert checks == [True] * len(checks), (seen, [running(pid) for pid in read_pids(pids)])


def _package_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ruff.__main__", None)  # `import ruff.__main__` fails


def _binary_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(lint, "ruff_binary", lambda: str(tmp_path / "no-such-ruff"))


def _binary_not_executable(monkeypatch, tmp_path):
    fake = tmp_path / "ruff"
    fake.write_bytes(Path(lint.ruff_binary()).read_bytes()[:4096])
    fake.chmod(0o644)  # no execute bit: refused even to root
    monkeypatch.setattr(lint, "ruff_binary", lambda: str(fake))


RUFF_FAULTS = {"package missing": _package_missing, "binary missing": _binary_missing}
RUFF_FAULTS["binary not executable"] = _binary_not_executable


RUFF_BINARY = lint.ruff_binary  # cached: cleared around the tests that take ruff away


@pytest.fixture
def no_ruff_cache():
    RUFF_BINARY.cache_clear()
    yield
    RUFF_BINARY.cache_clear()


@pytest.mark.parametrize("fault", RUFF_FAULTS.values(), ids=RUFF_FAULTS.keys())
def test_ruff_unavailable(workspace, tools, tmp_path, monkeypatch, no_ruff_cache, fault):
    fault(monkeypatch, tmp_path)
    observations = {}
    for name, call in {
        "lint": lambda: tools["lint"](),
        "format": lambda: tools["format"]("app.py"),
        "edit": lambda: tools["edit_file"]("app.py", "return 'hi'", "return 'hello'"),
        "broken edit": lambda: tools["edit_file"]("app.py", "return 'hello'", "return ("),
    }.items():
        try:
            observations[name] = (True, call())
        except (WorkspaceError, EditError) as e:
            observations[name] = (False, str(e))
    checks = [
        observations["lint"][0] is False and "ruff cannot run" in observations["lint"][1],
        observations["format"][0] is False and "ruff cannot run" in observations["format"][1],
        observations["edit"][0] is True,  # edits go on, guarded by Python's parser
        observations["broken edit"][0] is False and "syntax error" in observations["broken edit"][1],
        tools["read_file"]("app.py").endswith("return 'hello'"),
    ]
    tally("tool: ruff unavailable", injected=1, survived=int(all(checks)))
    assert checks == [True] * len(checks), observations


def test_ruff_is_found_without_it_on_path(workspace, tools, monkeypatch, no_ruff_cache):
    monkeypatch.setenv("PATH", "/nonexistent")
    (workspace / "app.py").write_text("import os\n")
    checks = ["F401" in tools["lint"]()]
    tally("tool: ruff unavailable", injected=1, survived=int(all(checks)))
    assert checks == [True]


# -- tools that raise ----------------------------------------------------------


class BrokenMessage(Exception):
    def __str__(self):
        raise RuntimeError("this exception cannot describe itself")


@tool
def flaky(kind: str) -> str:
    """A tool with bugs.

    Args:
        kind: Which bug.
    """
    if kind == "runtime":
        raise RuntimeError("internal state corrupted")
    if kind == "huge":
        raise ValueError("y" * 5_000_000)
    if kind == "broken message":
        raise BrokenMessage()
    if kind == "key":
        raise KeyError("missing")
    if kind == "unpicklable":
        return lambda: None
    return "fine"


FLAKY_KINDS = ["runtime", "huge", "broken message", "key", "unpicklable"]


def code(text: str) -> str:
    return f"Next.\n```python\n{text}\n```"


def test_a_code_agent_sees_tool_failures_as_observations(workspace, tools, tmp_path, monkeypatch, no_ruff_cache):
    hanging_suite(workspace, tmp_path / "pids")
    _binary_missing(monkeypatch, tmp_path)
    answers = [code(f"flaky({kind!r})") for kind in FLAKY_KINDS]
    answers += [code("print(run_tests())"), code("print(lint())"), code("print(flaky('ok'))")]
    answers += [code("final_answer('survived')")]
    model = ScriptedModel(answers)
    agent = CodeAgent(tools=[*tools.values(), flaky], model=model, max_steps=len(answers))
    try:
        started = time.monotonic()
        answer = agent.run("Use the tools.")
        elapsed = time.monotonic() - started
    finally:
        agent.close()
    steps = agent.memory.action_steps()
    errors = [str(step.error) if step.error else "" for step in steps]
    largest_prompt = max(sum(len(m.get("content") or "") for m in r["messages"]) for r in model.requests)
    checks = [
        isinstance(steps[0].error, AgentExecutionError) and "RuntimeError: internal state corrupted" in errors[0],
        "ValueError: yyy" in errors[1] and len(errors[1]) < 10_000,
        "BrokenMessage: (the error's message could not be shown)" in errors[2],
        "KeyError: 'missing'" in errors[3],
        steps[4].error is None and "<function" in steps[4].observations,
        steps[5].observations.startswith("Tests timed out."),
        "ruff cannot run" in errors[6],
        steps[7].observations == "fine",
        answer == "survived" and elapsed < TEST_TIMEOUT + NO_HANG_SECONDS,
        largest_prompt < 50_000,  # the 5 MB message did not reach the prompts
    ]
    tally("tool: faults in a CodeAgent run", injected=7, survived=7 * all(checks))
    assert checks == [True] * len(checks), list(zip(errors, [s.observations for s in steps], strict=False))


def test_a_tool_calling_agent_sees_tool_failures_as_observations():
    def call(kind: str) -> dict:
        arguments = f'{{"kind": "{kind}"}}'
        function = {"name": "flaky", "arguments": arguments}
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": kind, "type": "function", "function": function}],
        }

    answers = [call(kind) for kind in FLAKY_KINDS]
    answers += [{"role": "assistant", "content": '{"name": "final_answer", "arguments": {"answer": "survived"}}'}]
    model = ScriptedModel(answers)
    agent = ToolCallingAgent(tools=[flaky], model=model, max_steps=len(answers))
    answer = agent.run("Use the tool.")
    observations = [step.observations for step in agent.memory.action_steps()]
    largest_prompt = max(sum(len(m.get("content") or "") for m in r["messages"]) for r in model.requests)
    checks = [
        "RuntimeError: internal state corrupted" in observations[0],
        "ValueError: yyy" in observations[1] and len(observations[1]) < 10_000,
        "BrokenMessage" in observations[2],
        "KeyError" in observations[3],
        "function" in observations[4],
        answer == "survived" and largest_prompt < 50_000,
    ]
    tally("tool: raises an unexpected exception", injected=5, survived=5 * all(checks))
    assert checks == [True] * len(checks), observations

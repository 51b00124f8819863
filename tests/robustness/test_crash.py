"""Crash safety: `agentls serve` killed with SIGKILL in the middle of a task.

The agent is inside a step that runs for a minute (tests/data/e2e_slow.jsonl), or
its run of the workspace's tests is, one of which takes a minute; the user has unsaved
changes in the open document, and the workspace is trusted (so the shadow copy for
tests exists). After the kill: every file of the workspace is the
same, byte for byte, with the same mtime, and no file was added; nothing was written
outside the workspace except the server's temporary directory; no process of the
server outlives it (the sandboxed worker and the test run die with it). Then a new server on the same
workspace does a task end to end, and removes the shadow copy (a copy of the user's
project) that the killed one left behind.
"""

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from pygls.uris import from_fs_path

from tests.robustness.raw_client import RawServer, no_model_env
from tests.robustness.report import tally

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
ANSWER_SECONDS = 60


def snapshot(root: Path) -> dict[str, tuple]:
    """Every file and folder under root: content, mtime (ns) and mode."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() else None
        found[str(path.relative_to(root))] = (content, info.st_mtime_ns, info.st_mode)
    return found


def descendants(pid: int) -> set[int]:
    """The processes started by `pid`, and theirs."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found |= {int(child)} | descendants(int(child))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def progress_began(message: dict) -> bool:
    return message.get("method") == "$/progress" and message["params"]["value"].get("kind") == "begin"


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return ""


def start(root: Path, home: Path, recording: str, verify: str = "tests") -> RawServer:
    env = {**no_model_env(home), "TMPDIR": str(home / "tmp")}
    server = RawServer(root, env=env, stderr_path=home / f"stderr-{recording}.log")
    settings = {"model": f"replay:{DATA / recording}", "trustWorkspace": True, "backgroundCommands": "never"}
    settings["verify"] = verify
    server.initialize(settings, capabilities={"window": {"workDoneProgress": True}, "workspace": {"applyEdit": True}})
    return server


def open_document(server: RawServer, path: str, text: str) -> str:
    uri = from_fs_path(str(server.root / path))
    document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
    server.notify("textDocument/didOpen", {"textDocument": document})
    return uri


SLOW_TEST = "import time\n\n\ndef test_takes_a_minute():\n    time.sleep(60)\n"
# Where the kill lands: the recording, the task, and the process that must be running.
KILL_POINTS = {
    "in the agent's code": ("e2e_slow.jsonl", "Take your time.", "agent.executor.worker"),
    "in the workspace's tests": ("crash_during_tests.jsonl", "Run the tests.", "-m pytest"),
}


@pytest.mark.parametrize("where", KILL_POINTS)
def test_a_server_killed_mid_task_leaves_the_user_files_untouched_and_a_new_one_works(tmp_path, where):
    recording, task, running = KILL_POINTS[where]
    root = tmp_path / "inventory"
    shutil.copytree(ROOT / "examples" / "inventory", root)
    if running == "-m pytest":
        (root / "tests" / "test_slow.py").write_text(SLOW_TEST)
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    before = snapshot(root)
    outside_before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(root)}

    server = start(root, home, recording)
    stock = (root / "inventory/stock.py").read_text()
    uri = open_document(server, "inventory/stock.py", stock.replace("Items in stock", "Unsaved edit"))
    mark = server.mark()
    arguments = {"task": task, "uri": uri}
    server.send(
        {
            "jsonrpc": "2.0",
            "id": "slow",
            "method": "workspace/executeCommand",
            "params": {"command": "agentls.runTask", "arguments": [arguments]},
        }
    )
    server.wait_for(lambda got: any(progress_began(m) for m in got), ANSWER_SECONDS, mark)
    assert wait_until(
        lambda: any(running in command_line(pid) for pid in descendants(server.process.pid)), ANSWER_SECONDS
    )
    time.sleep(1.0)  # inside the minute-long step
    children = descendants(server.process.pid)
    assert not any(m.get("id") == "slow" for m in server.since(mark)), "the task ended before the kill"
    os.kill(server.process.pid, signal.SIGKILL)
    server.kill()

    orphans = [pid for pid in children if not wait_until(lambda pid=pid: not alive(pid), 10)]
    assert orphans == [], "processes outlived the server"
    assert snapshot(root) == before, "a user file changed"
    written = {p for p in tmp_path.rglob("*") if not p.is_relative_to(root)} - outside_before
    assert all(p.is_relative_to(home / "tmp") or p.name.startswith("stderr-") for p in written), sorted(written)
    [left_behind] = (home / "tmp").glob("agentls-shadow-*")  # a copy of the project, until a restart

    restarted = start(root, home, "e2e_fix_diagnostics.jsonl", verify="lint")
    restarted.answer_apply_edit = lambda params: {"applied": True}
    report = open_document(restarted, "inventory/report.py", (root / "inventory/report.py").read_text())
    answer = restarted.request(
        "workspace/executeCommand",
        {"command": "agentls.fixDiagnostics", "arguments": [{"uri": report}]},
        ANSWER_SECONDS,
    )
    assert answer["result"]["applied"] is True, answer
    assert not left_behind.exists(), "the killed server's shadow copy is still there"
    assert restarted.stop() == 0
    assert list((home / "tmp").glob("agentls-shadow-*")) == []
    assert snapshot(root) == before  # the edit went to the editor, never to the disk
    tally("crash: server killed mid-task", injected=1, survived=1)

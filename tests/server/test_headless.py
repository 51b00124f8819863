"""`agentls run` end to end on the example project (replayed model): the installed
command, the real server behind it, real pytest afterwards."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AGENTLS = Path(sys.executable).parent / "agentls"
RECORDING = ROOT / "tests" / "data" / "e2e_run_task.jsonl"
TASK = "Fix the failing test and the lint errors."


@pytest.fixture
def inventory(tmp_path) -> Path:
    root = tmp_path / "inventory"
    shutil.copytree(ROOT / "examples" / "inventory", root)
    return root


def agentls_run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(AGENTLS), "run", *args], capture_output=True, text=True, timeout=300, env=env)


def snapshot(root: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_shows_the_diff_and_writes_nothing_without_apply(inventory):
    before = snapshot(inventory)
    done = agentls_run(TASK, "--workspace", str(inventory), "--model", f"replay:{RECORDING}")
    assert done.returncode == 0, done.stderr
    assert "+        return sum(item.quantity * item.price for item in self.items.values())" in done.stdout
    assert "-import json" in done.stdout
    assert "tests: passed, lint: clean" in done.stdout
    assert "not written: run again with --apply" in done.stdout
    assert "agentls: step 1: First I'll see what fails." in done.stderr  # progress, plain lines (not a TTY)
    assert snapshot(inventory) == before


def test_apply_writes_the_change_and_the_tests_pass_afterwards(inventory):
    done = agentls_run(TASK, "--workspace", str(inventory), "--model", f"replay:{RECORDING}", "--apply")
    assert done.returncode == 0, done.stderr
    assert "(written to disk)" in done.stdout
    assert "item.quantity * item.price" in (inventory / "inventory" / "stock.py").read_text()
    assert "import json" not in (inventory / "inventory" / "report.py").read_text()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=inventory, capture_output=True, text=True
    )
    assert tests.returncode == 0, tests.stdout
    assert not list(inventory.rglob("*.agentls-tmp"))


def test_json_output_for_scripts(inventory):
    done = agentls_run(TASK, "--workspace", str(inventory), "--model", f"replay:{RECORDING}", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["applied"] is False  # not written without --apply
    assert result["steps"] == 6 and result["verdict"]["tests"] == "passed"
    assert result["tokens"]["input"] > 0
    assert result["diff"].startswith("--- a/inventory/report.py")


def test_record_writes_a_replayable_run_without_secrets(inventory, tmp_path):
    record = tmp_path / "run.jsonl"
    env = {**__import__("os").environ, "OPENAI_API_KEY": "sk-sentinel-headless-0000"}
    done = agentls_run(
        TASK, "--workspace", str(inventory), "--model", f"replay:{RECORDING}", "--record", str(record), env=env
    )
    assert done.returncode == 0, done.stderr
    text = record.read_text()
    assert len(text.splitlines()) == 7  # header + six model calls
    assert "sk-sentinel-headless-0000" not in text
    again = agentls_run(TASK, "--workspace", str(inventory), "--model", f"replay:{record}", "--json")
    assert json.loads(again.stdout)["steps"] == 6


def test_bad_usage_exits_2(tmp_path):
    assert agentls_run(TASK, "--workspace", str(tmp_path / "missing")).returncode == 2
    done = agentls_run(TASK, "--workspace", str(tmp_path), "--model", "replay:/nowhere.jsonl")
    assert done.returncode == 2 and "no recording" in done.stderr


def test_ctrl_c_cancels_and_writes_nothing(inventory):
    import signal
    import time

    before = snapshot(inventory)
    slow = ROOT / "tests" / "data" / "headless_slow.jsonl"
    process = subprocess.Popen(
        [str(AGENTLS), "run", "Take your time.", "--workspace", str(inventory), "--model", f"replay:{slow}", "--apply"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    while "agentls: starting" not in seen:
        line = process.stderr.readline()
        assert line, f"agentls run ended early: {seen}"
        seen += line
    time.sleep(2.0)  # the agent is inside its minute-long step
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=30)
    assert process.returncode == 130, seen + rest
    assert "cancelled; nothing was written" in rest
    assert time.monotonic() - started < 15
    assert snapshot(inventory) == before

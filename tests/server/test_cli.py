"""`agentls exec` as a user runs it: the installed console script, a real worker."""

import subprocess
import sys
from pathlib import Path

AGENTLS = Path(sys.executable).parent / "agentls"


def agentls(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(AGENTLS), *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_exec_prints_logs_and_final_answer():
    done = agentls("exec", "print('hi')\nfinal_answer(6 * 7)")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Execution logs:\nhi\n\nFinal answer: 42\n"


def test_exec_reads_a_file_and_authorises_imports(tmp_path):
    snippet = tmp_path / "s.py"
    snippet.write_text("import numpy as np\nint(np.ones(3).sum())\n")
    done = agentls("exec", "--file", str(snippet), "--allow", "numpy")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Result: 3"


def test_exec_reads_standard_input():
    done = agentls("exec", "-", stdin="2 ** 10\n")
    assert done.stdout.strip() == "Result: 1024"


def test_exec_refusal_exits_1_with_the_reason():
    done = agentls("exec", "import os")
    assert done.returncode == 1
    assert "Forbidden (line 1): import of 'os' is not allowed" in done.stdout


def test_exec_timeout_exits_1():
    done = agentls("exec", "--timeout", "1", "while True: pass")
    assert done.returncode == 1
    assert "exceeded the 1 s time limit" in done.stdout


def test_exec_bad_usage_exits_2(tmp_path):
    assert agentls("exec", "1", "--file", str(tmp_path / "x.py")).returncode == 2
    assert agentls("frobnicate").returncode == 2

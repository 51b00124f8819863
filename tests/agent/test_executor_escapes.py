"""Escapes must fail, judged by their side effects (files, processes, connections,
secrets), not only by the exception; the host must survive and the executor stay usable.

The second half gives the snippet authorised `os`, `socket` and `subprocess`, as a
model's code would have after slipping past the policy: then only the OS sandbox
(Landlock, seccomp, clean environment) stands between it and the machine.
"""

import os
import socket
import sys
import textwrap
import threading

import pytest

from agent.executor import InterpreterError, LocalPythonExecutor
from tests.helpers.executor_corpus import (
    FILE_WRITES,
    POLICY_ESCAPES,
    PROGRAM_STARTS,
    RESOURCE_BOMBS,
    RUNTIME_ESCAPES,
    SANDBOX_IMPORTS,
)

SENTINEL = "agentls-sentinel-secret-7f3a9c"


@pytest.fixture
def ex():
    with LocalPythonExecutor(timeout_seconds=5) as ex:
        yield ex


def attempt(ex: LocalPythonExecutor, code: str) -> str:
    """Run an escape attempt; return everything the model would see."""
    try:
        out = ex(textwrap.dedent(code))
    except InterpreterError as e:
        return f"ERROR {e}\n{e.logs}"
    return f"OK {out.output!r}\n{out.logs}"


@pytest.mark.parametrize("code", POLICY_ESCAPES)
def test_policy_refuses_reaching_the_interpreter(ex, code):
    seen = attempt(ex, code)
    assert seen.startswith("ERROR"), seen
    assert "root:" not in seen  # /etc/passwd was not read
    assert ex("1 + 1").output == 2


@pytest.mark.parametrize("code", RUNTIME_ESCAPES)
def test_runtime_refuses_computed_attribute_tricks(ex, code):
    seen = attempt(ex, code)
    assert seen.startswith("ERROR"), seen
    assert ("AttributeError" in seen) or ("Forbidden" in seen), seen
    assert ex("'alive'").output == "alive"


@pytest.fixture
def sandboxed():
    """An executor that hands the snippet os, socket and subprocess."""
    ex = LocalPythonExecutor(additional_authorized_imports=SANDBOX_IMPORTS, timeout_seconds=5)
    ex.start()
    report = ex.sandbox_report or {}
    if sys.platform == "linux" and not (report.get("landlock") and report.get("seccomp")):
        ex.close()
        pytest.skip(f"this kernel lacks Landlock or seccomp: {report.get('notes')}")
    yield ex
    ex.close()


def test_environment_secrets_are_not_inherited(sandboxed, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    sandboxed.close()  # the next worker starts with the sentinel in the host's environment
    seen = attempt(sandboxed, "import os\nprint(dict(os.environ))\nos.environ.get('OPENAI_API_KEY')")
    assert seen.startswith("OK None"), seen
    assert SENTINEL not in seen


def test_host_environment_cannot_be_read_through_proc(sandboxed, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    seen = attempt(sandboxed, f"open('/proc/{os.getpid()}/environ', 'rb').read()")
    assert SENTINEL not in seen
    seen = attempt(sandboxed, f"import pathlib\npathlib.Path('/proc/{os.getpid()}/environ').read_bytes()")
    assert seen.startswith("ERROR") and "Permission" in seen, seen
    assert SENTINEL not in seen


def test_cannot_read_user_files(sandboxed, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SENTINEL)
    seen = attempt(sandboxed, f"import pathlib\npathlib.Path({str(secret)!r}).read_text()")
    assert seen.startswith("ERROR") and SENTINEL not in seen, seen
    seen = attempt(sandboxed, f"import os\nos.listdir({str(tmp_path)!r})")
    assert seen.startswith("ERROR") and "secret.txt" not in seen, seen


def test_cannot_write_files(sandboxed, tmp_path):
    target = tmp_path / "written.txt"
    for code in FILE_WRITES:
        seen = attempt(sandboxed, code.format(target=str(target)))
        assert seen.startswith("ERROR"), seen
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_cannot_start_programs_or_fork(sandboxed, tmp_path):
    marker = tmp_path / "ran"
    for code in PROGRAM_STARTS:
        seen = attempt(sandboxed, code.format(marker=str(marker)))
        assert seen.startswith("ERROR") or "32512" in seen, seen  # os.system: 127 = could not spawn
    assert not marker.exists()
    assert sandboxed("'still here'").output == "still here"


def test_cannot_open_sockets(sandboxed):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    port = server.getsockname()[1]
    seen = attempt(sandboxed, f"import socket\ns = socket.create_connection(('127.0.0.1', {port}))")
    assert seen.startswith("ERROR"), seen
    with pytest.raises(TimeoutError):
        server.accept()  # nothing connected
    server.close()


def test_cannot_signal_the_host_through_a_pidfd(sandboxed):
    seen = attempt(sandboxed, "import os\nos.pidfd_open(os.getppid())")
    assert seen.startswith("ERROR") and "not permitted" in seen, seen


def test_the_host_rejects_bombs_in_worker_messages():
    import pickle

    from agent.executor import wire

    with pytest.raises(wire.WireError, match="forbidden type"):
        wire.load_plain(pickle.dumps(bytearray(b"x")))
    shared = []
    for _ in range(40):
        shared = [shared, shared]  # 2**40 nodes as a tree, a few hundred bytes as a pickle
    with pytest.raises(wire.WireError, match="too large or too deep"):
        wire.load_plain(pickle.dumps(shared))


def test_cannot_signal_the_host(sandboxed):
    seen = attempt(sandboxed, f"import os, signal\nos.kill({os.getpid()}, signal.SIGKILL)")
    assert seen.startswith("ERROR") and "not permitted" in seen, seen
    # we are still running: the host survived


# -- resource bombs ------------------------------------------------------------


@pytest.mark.parametrize("bomb", RESOURCE_BOMBS, ids=lambda bomb: bomb.name)
def test_resource_bombs_end_in_a_clear_error_and_the_executor_recovers(bomb):
    with LocalPythonExecutor(**bomb.options) as ex:
        ex("kept = 'yes'")
        with pytest.raises(InterpreterError, match=bomb.error) as err:
            ex(bomb.code)
        assert len(err.value.logs) <= ex.max_print_outputs_length + 100  # a flood is cut, with a note
        if bomb.keeps_state:
            assert ex("kept").output == "yes"
        else:
            assert "lost" in str(err.value)
            with pytest.raises(InterpreterError, match="NameError"):
                ex("kept")
        assert ex("1 + 1").output == 2


def test_interrupt_from_another_thread_cancels_promptly():
    import time

    with LocalPythonExecutor(timeout_seconds=60) as ex:
        ex.start()
        threading.Timer(0.3, ex.interrupt).start()
        started = time.monotonic()
        with pytest.raises(InterpreterError, match="cancelled"):
            ex("while True:\n    pass")
        assert time.monotonic() - started < 3
        assert ex("'ready'").output == "ready"

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


POLICY_ESCAPES = [
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == 'Popen'][0](['id'])",
    "(lambda: 0).__globals__['__builtins__']",
    "print.__self__.open('/etc/passwd')",
    "__builtins__['open']('/etc/passwd')",
    "__import__('os').system('id')",
    "import os",
    "import subprocess",
    "from os import system",
    "import importlib\nimportlib.import_module('os')",
    "import sys\nsys.modules['os']",
    "from . import secrets",
    "import builtins\nbuiltins.open('/etc/passwd')",
    "eval('1')",
    "exec('import os')",
    "compile('1', 'x', 'eval')",
    "open('/etc/passwd').read()",
    "globals()['__builtins__']",
    "vars()",
    "def f():\n    yield 1\ng = f()\ng.gi_frame.f_back.f_globals",
    "try:\n    1/0\nexcept Exception as e:\n    e.__traceback__.tb_frame.f_globals",
    "x = (1).__class__",
    "setattr(print, '__name__', 'x'); print.__dict__",
    # found in review: attributes read by match-class keywords, no import needed
    "match final_answer:\n    case object(__func__=object(__globals__=g)):\n        pass\ng['sys']",
    # class-body dunders that library code fills (functools.update_wrapper) or triggers
    "import functools, shlex\nclass W:\n    __globals__ = {}\nfunctools.update_wrapper(W(), shlex.split, assigned=(), updated=('__globals__',))",
    "class H:\n    def __setattr__(self, name, value):\n        pass",
    # site's _Printer reads files with the real open()
    "license._Printer__filenames = ['/etc/passwd']\nrepr(license)",
]


@pytest.mark.parametrize("code", POLICY_ESCAPES)
def test_policy_refuses_reaching_the_interpreter(ex, code):
    seen = attempt(ex, code)
    assert seen.startswith("ERROR"), seen
    assert "root:" not in seen  # /etc/passwd was not read
    assert ex("1 + 1").output == 2


RUNTIME_ESCAPES = [
    "getattr((), '__cla' + 'ss__')",
    "getattr(getattr((), '_' * 2 + 'class' + '_' * 2), '__subclasses__')",
    "hasattr(print, '__self' + '__')",
    "'{0.__class__.__bases__}'.format(())",
    "'{x.__globals__}'.format_map({'x': lambda: 0})",
    "f = str.format\nf('{0.__class__}', 1)",
    "fmt = '{0.' + 'gi_frame}'\nfmt.format((i for i in []))",
    "import string\nstring.Formatter().format('{0.__class__}', 1)",
    "import operator\noperator.attrgetter('__class__')(1)",
    "import operator\noperator.methodcaller('__subclasses__')(object)",
    "import random\nrandom._os",
    "import random\nrandom.os",
    "import typing\ntyping.sys.modules['os']",
    "import typing\ntyping.get_type_hints",
    "import json\njson.decoder.sys",
    # found in review: a str subclass that lies about its length or text
    "class S(str):\n    def __len__(self):\n        return 0\ngetattr((), S('__class__'))",
    "class S(str):\n    def __str__(self):\n        return 'real'\nimport operator\noperator.attrgetter(S('__class__'))(1)",
    # str.format reached through super(), methodcaller or attrgetter
    "class T(str):\n    pass\nsuper(T, T('{0.__class__}')).format(1)",
    "import operator, shlex\noperator.methodcaller('format', shlex.split)('{0.__globals__[os]}')",
    "import operator\noperator.attrgetter('format')('{0.__class__}')(1)",
    "import string\nstring.Formatter",
]


@pytest.mark.parametrize("code", RUNTIME_ESCAPES)
def test_runtime_refuses_computed_attribute_tricks(ex, code):
    seen = attempt(ex, code)
    assert seen.startswith("ERROR"), seen
    assert ("AttributeError" in seen) or ("Forbidden" in seen), seen
    assert ex("'alive'").output == "alive"


@pytest.fixture
def sandboxed():
    """An executor that hands the snippet os, socket and subprocess."""
    ex = LocalPythonExecutor(
        additional_authorized_imports=["os", "socket", "subprocess", "pathlib", "signal", "shutil"],
        timeout_seconds=5,
    )
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
    seen = attempt(sandboxed, f"import pathlib\npathlib.Path({str(target)!r}).write_text('x')")
    assert seen.startswith("ERROR"), seen
    attempt(sandboxed, f"import os\nfd = os.open({str(target)!r}, os.O_CREAT | os.O_WRONLY)")
    attempt(sandboxed, f"import shutil\nshutil.copy('/etc/hostname', {str(target)!r})")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_cannot_start_programs_or_fork(sandboxed, tmp_path):
    marker = tmp_path / "ran"
    attempts = [
        f"import subprocess\nsubprocess.run(['touch', {str(marker)!r}])",
        f"import os\nos.system('touch {marker}')",
        f"import os\nos.execv('/usr/bin/touch', ['touch', {str(marker)!r}])",
        "import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\npid",
        f"import os\nos.posix_spawn('/usr/bin/touch', ['touch', {str(marker)!r}], {{}})",
    ]
    for code in attempts:
        seen = attempt(sandboxed, code)
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


def test_infinite_loop_is_stopped_and_state_kept():
    with LocalPythonExecutor(timeout_seconds=1) as ex:
        ex("kept = 'yes'")
        with pytest.raises(InterpreterError, match="time limit and was stopped"):
            ex("while True:\n    pass")
        assert ex("kept").output == "yes"


def test_loop_that_swallows_interrupts_is_killed_and_says_state_was_lost():
    with LocalPythonExecutor(timeout_seconds=1) as ex:
        ex("kept = 'yes'")
        with pytest.raises(InterpreterError, match="did not stop when interrupted.*lost"):
            ex("while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass")
        with pytest.raises(InterpreterError, match="NameError"):
            ex("kept")
        assert ex("1 + 1").output == 2


def test_huge_allocation_is_a_memory_error_not_a_crash():
    with LocalPythonExecutor(max_memory_mb=512) as ex:
        ex("kept = 1")
        with pytest.raises(InterpreterError, match="MemoryError"):
            ex("x = ' ' * (4 * 1024 ** 3)")
        with pytest.raises(InterpreterError, match="MemoryError"):
            ex("chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 7))")
        assert ex("del chunks\nkept").output == 1


def test_deep_recursion_is_a_recursion_error(ex):
    with pytest.raises(InterpreterError, match="RecursionError"):
        ex("def f(n):\n    return f(n + 1)\nf(0)")
    assert ex("'fine'").output == "fine"


def test_print_flood_is_bounded():
    with LocalPythonExecutor(timeout_seconds=1, max_print_outputs_length=10_000) as ex:
        with pytest.raises(InterpreterError) as err:
            ex("while True:\n    print('x' * 1000)")
        assert len(err.value.logs) < 11_000
        assert "omitted" in err.value.logs


def test_worker_crash_restarts_with_a_clear_message():
    with LocalPythonExecutor(additional_authorized_imports=["os"]) as ex:
        ex("kept = 1")
        with pytest.raises(InterpreterError, match="worker stopped.*SIGABRT.*lost"):
            ex("import os\nos.abort()")
        assert ex("1 + 2").output == 3


def test_c_level_busy_loop_is_killed():
    with LocalPythonExecutor(timeout_seconds=1) as ex:
        with pytest.raises(InterpreterError, match="did not stop"):
            ex("sum(range(10 ** 12))")
        assert ex("'back'").output == "back"


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

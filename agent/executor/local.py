"""`LocalPythonExecutor`: the host side of the CodeAgent's sandboxed Python.

    ex = LocalPythonExecutor(additional_authorized_imports=["math"], timeout_seconds=30)
    ex.send_tools({"read_file": read_file})
    out = ex("x = read_file('a.py')\\nlen(x)")      # CodeOutput(output, logs, is_final_answer)

Each call is checked by the policy (`policy.py`), then runs natively in a worker
process (`worker.py`) that keeps its state between calls. Tools run here, in the
host, when the worker asks. The wall-clock timeout counts the snippet's own time,
not the time its tools take (tools have their own limits). On a timeout the worker
is interrupted (state kept); if it does not stop, or crashes or runs out of memory,
it is killed and the next call starts a fresh one, and the error says state was lost.
"""

import json
import logging
import os
import select
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agent.errors import exception_text
from agent.executor import policy, wire
from agent.executor.results import CodeOutput, InterpreterError
from agent.executor.rules import BASE_BUILTIN_MODULES

log = logging.getLogger(__name__)

# Seconds a worker gets to answer SIGINT before it is killed.
INTERRUPT_GRACE_SECONDS = 2.0
READY_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.05
SPIN_SECONDS = 0.0005

# The worker's whole environment: nothing inherited, so no secrets.
WORKER_ENVIRONMENT = {
    "PATH": os.defpath,
    "LANG": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

_sandbox_reported = False


class _WorkerGone(Exception):
    """The worker died or broke the protocol; `reason` says how."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Worker:
    """One worker process and its socket; killed on close or when garbage-collected."""

    def __init__(self, config: dict):
        self.tempdir = tempfile.mkdtemp(prefix="agentls-worker-")
        config = {**config, "writable": self.tempdir}
        host_end, worker_end = socket.socketpair()
        self.sock = host_end
        with open(os.path.join(self.tempdir, "stderr.txt"), "wb") as stderr:
            self.process = _spawn(
                [
                    sys.executable,
                    "-I",
                    "-B",
                    "-m",
                    "agent.executor.worker",
                    str(worker_end.fileno()),
                    json.dumps(config),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                pass_fds=(worker_end.fileno(),),
                cwd=self.tempdir,
                env=WORKER_ENVIRONMENT,
                start_new_session=True,
            )
        worker_end.close()
        self._finalizer = weakref.finalize(self, _kill, self.process, self.sock, self.tempdir)

    def send(self, message: tuple) -> None:
        try:
            self.sock.sendall(wire.dumps(message))
        except OSError as e:
            raise _WorkerGone(self.death_reason(f"connection lost ({e})")) from None

    def receive(self, deadline: float | None, cancelled: threading.Event) -> tuple | None:
        """The next message, or None when the deadline passed or the call was cancelled."""
        if not self._wait_readable(deadline, cancelled):
            return None
        try:
            message = wire.load_plain(wire.read_frame(self._read_exact))
        except wire.WireError as e:
            raise _WorkerGone(self.death_reason(str(e))) from None
        if not isinstance(message, tuple) or not message:
            raise _WorkerGone(f"protocol error: unexpected message {message!r:.200}")
        return message

    def _wait_readable(self, deadline: float | None, cancelled: threading.Event) -> bool:
        # Spin briefly first: most answers (a tool call, a short snippet) come within
        # a few hundred microseconds, and sleeping in select() would add the kernel's
        # wake-up latency to each round trip (bench/RESULTS.md, "Executor").
        spin_until = time.perf_counter() + SPIN_SECONDS
        while time.perf_counter() < spin_until:
            if select.select([self.sock], [], [], 0)[0]:
                return True
        while not cancelled.is_set():
            wait = POLL_SECONDS if deadline is None else min(POLL_SECONDS, deadline - time.monotonic())
            if wait <= 0:
                return False
            if select.select([self.sock], [], [], wait)[0]:
                return True
        return False

    def _read_exact(self, n: int) -> bytes:
        # One deadline for the whole frame: a worker trickling a byte at a time does not
        # hold the executor.
        chunks, remaining = [], n
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        try:
            while remaining:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise wire.WireError("the worker stalled in the middle of a message")
                self.sock.settimeout(left)
                chunk = self.sock.recv(min(remaining, 1 << 20))
                if not chunk:
                    raise wire.WireError("connection closed")
                chunks.append(chunk)
                remaining -= len(chunk)
        except OSError as e:
            raise wire.WireError(f"connection lost ({e})") from None
        finally:
            self.sock.settimeout(None)
        return b"".join(chunks)

    def interrupt(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def death_reason(self, fallback: str) -> str:
        try:
            code = self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return fallback
        if code < 0:
            name = signal.Signals(-code).name
            return {
                "SIGXCPU": "it used up its CPU time limit",
                "SIGKILL": "it was killed",
                "SIGSEGV": "it crashed (segmentation fault, often a too-deep recursion in C code)",
            }.get(name, f"it died from {name}")
        return f"it exited with status {code}"

    def close(self) -> None:
        self._finalizer()


_spawner: ThreadPoolExecutor | None = None
_spawner_lock = threading.Lock()


def _spawn(*args: Any, **kwargs: Any) -> subprocess.Popen:
    """Popen from one long-lived thread. The worker asks for SIGKILL when its parent
    dies, and Linux means the parent *thread*: a worker started from a short-lived
    thread (an agent warming its executor up) would die with that thread."""
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentls-spawner")
    return _spawner.submit(subprocess.Popen, *args, **kwargs).result()


def _kill(process: subprocess.Popen, sock: socket.socket, tempdir: str) -> None:
    sock.close()
    if process.poll() is None:
        process.kill()
        process.wait()
    shutil.rmtree(tempdir, ignore_errors=True)


class LocalPythonExecutor:
    def __init__(
        self,
        additional_authorized_imports: Iterable[str] = (),
        timeout_seconds: float = 30,
        max_memory_mb: int = 1024,
        max_print_outputs_length: int = 20_000,
    ):
        self.authorized_imports = frozenset(BASE_BUILTIN_MODULES) | frozenset(additional_authorized_imports)
        self.timeout_seconds = timeout_seconds
        self.max_memory_mb = max_memory_mb
        self.max_print_outputs_length = max_print_outputs_length
        self.tools: dict[str, Callable] = {}
        self.state: dict[str, Any] = {}
        self.sandbox_report: dict | None = None
        self._worker: _Worker | None = None
        self._cancelled = threading.Event()
        self._lock = threading.RLock()

    # -- the contract ------------------------------------------------------------

    def send_tools(self, tools: dict[str, Callable]) -> None:
        with self._lock:
            self.tools.update(tools)
            if self._worker is not None:
                self._send_or_restart(("tools", sorted(self.tools)))

    def send_variables(self, variables: dict[str, Any]) -> None:
        with self._lock:
            self.state.update(variables)
            if self._worker is not None:
                self._send_or_restart(("variables", variables))

    def __call__(self, code: str) -> CodeOutput:
        prepared = policy.prepare(code, self.authorized_imports, frozenset(self.tools))
        with self._lock:
            worker = self._ensure_worker()
            try:
                return self._run(worker, prepared)
            except _WorkerGone as e:
                self._discard_worker()
                raise InterpreterError(
                    f"The Python worker stopped: {e.reason}. It was restarted, so variables, "
                    "functions and imports from earlier code are lost; redefine what you need."
                ) from None
            finally:
                self._cancelled.clear()  # an interrupt stops one call: this one, or the next

    def interrupt(self) -> None:
        """Stop the running call from another thread (or the next call, if none is
        running); it raises InterpreterError, keeping the state when it can."""
        self._cancelled.set()

    def start(self) -> None:
        """Start the worker now rather than at the first call."""
        with self._lock:
            self._ensure_worker()

    def close(self) -> None:
        with self._lock:
            self._discard_worker()

    def __enter__(self) -> "LocalPythonExecutor":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- running -----------------------------------------------------------------

    def _run(self, worker: _Worker, prepared: policy.PreparedCode) -> CodeOutput:
        worker.send(("run", prepared.body, prepared.result))
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            message = worker.receive(deadline, self._cancelled)
            if message is None:
                return self._stop_overrunning(worker)
            kind = message[0]
            if kind == "call" and len(message) == 4:
                started = time.monotonic()
                worker.send(self._call_tool(*message[1:]))
                deadline += time.monotonic() - started
            elif kind == "done" and len(message) == 4:
                _, output, logs, is_final = message
                return CodeOutput(output=output, logs=logs, is_final_answer=bool(is_final))
            elif kind == "error" and len(message) == 3:
                raise InterpreterError(self._describe_error(message[1], prepared.source), logs=message[2])
            else:
                raise _WorkerGone(f"protocol error: unexpected message {kind!r:.50}")

    def _stop_overrunning(self, worker: _Worker) -> CodeOutput:
        """Deadline passed or cancelled: SIGINT keeps state; a worker that ignores it is killed."""
        why = "was cancelled" if self._cancelled.is_set() else f"exceeded the {self.timeout_seconds:g} s time limit"
        worker.interrupt()
        message = worker.receive(time.monotonic() + INTERRUPT_GRACE_SECONDS, threading.Event())
        if message is None or message[0] == "call":
            raise _WorkerGone(f"the code {why} and did not stop when interrupted")
        logs = message[2] if message[0] == "error" and len(message) == 3 else ""
        raise InterpreterError(
            f"The code {why} and was stopped. Variables from earlier steps are kept. "
            "Look for an endless loop, or do less work per step.",
            logs=logs if isinstance(logs, str) else "",
        )

    def _call_tool(self, name: object, args: object, kwargs: object) -> tuple:
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None or not isinstance(args, tuple) or not isinstance(kwargs, dict):
            return ("tool_result", False, ("NameError", f"there is no tool named {name!r}"))
        try:
            result = tool(*args, **kwargs)
        except Exception as e:  # a tool's failure is the model's observation, not ours
            return ("tool_result", False, (type(e).__name__, _error_message(e)))
        try:
            wire.dumps(result)
        except Exception:  # unpicklable results reach the model as their repr
            result = wire.safe_repr(result)
        return ("tool_result", True, result)

    def _describe_error(self, details: object, source: str) -> str:
        if not isinstance(details, dict):
            return f"The code failed: {details!r:.500}"
        kind, message, line = details.get("type"), details.get("message"), details.get("line")
        text = f"{kind}: {message}" if message else str(kind)
        if isinstance(line, int):
            lines = source.splitlines()
            code_line = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            return f"Code execution failed at line {line}: `{code_line}`\n{text}"
        return f"Code execution failed: {text}"

    # -- the worker's lifecycle --------------------------------------------------

    def _config(self) -> dict:
        import agent

        # The worker may read the Python installation (to import), agentls's own
        # package and the system's shared libraries: nothing of the user's.
        readable = {sys.prefix, sys.base_prefix, sys.exec_prefix, agent.__path__[0]}
        readable |= {p for p in site.getsitepackages() if os.path.isdir(p)}
        readable |= {
            "/usr/lib",
            "/lib",
            "/lib64",
            "/usr/lib64",
            "/usr/local/lib",
            "/etc/ld.so.cache",
        }
        # The standard library stays readable inside the sandbox, so only the extra
        # modules are imported before it closes (some read /proc or /sys on import).
        extra = self.authorized_imports - frozenset(BASE_BUILTIN_MODULES)
        preload = [m.removesuffix(".*") for m in extra if m != "*"]
        return {
            "authorized_imports": sorted(self.authorized_imports),
            "preload": sorted(preload),
            "timeout_seconds": self.timeout_seconds,
            "max_memory_mb": self.max_memory_mb,
            "max_print_chars": self.max_print_outputs_length,
            "cpu_seconds_cap": max(3600, int(self.timeout_seconds) * 100),
            "readable": sorted(os.path.realpath(p) for p in readable),
        }

    def _ensure_worker(self) -> _Worker:
        if self._worker is not None:
            return self._worker
        worker = _Worker(self._config())
        try:
            message = worker.receive(time.monotonic() + READY_TIMEOUT_SECONDS, threading.Event())
            if message is None or message[0] != "ready":
                raise _WorkerGone(worker.death_reason("it did not start in time"))
        except _WorkerGone as e:
            stderr = _tail(os.path.join(worker.tempdir, "stderr.txt"))
            worker.close()
            raise RuntimeError(f"The Python worker failed to start: {e.reason}\n{stderr}") from None
        self._report_sandbox(message[1])
        self._worker = worker
        worker.send(("tools", sorted(self.tools)))
        if self.state:
            worker.send(("variables", self.state))
        return worker

    def _report_sandbox(self, report: object) -> None:
        global _sandbox_reported
        self.sandbox_report = report if isinstance(report, dict) else None
        if not _sandbox_reported and self.sandbox_report and self.sandbox_report.get("notes"):
            _sandbox_reported = True
            log.warning("code sandbox is partial: %s", "; ".join(map(str, self.sandbox_report["notes"])))

    def _send_or_restart(self, message: tuple) -> None:
        try:
            self._worker.send(message)
        except _WorkerGone:
            self._discard_worker()

    def _discard_worker(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None


def _error_message(error: Exception) -> str:
    # The message itself, not str(e): str(KeyError("x")) quotes it, and the worker's
    # re-raised KeyError would quote it again.
    if len(error.args) == 1 and isinstance(error.args[0], str):
        return error.args[0]
    return exception_text(error)


def _tail(path: str, limit: int = 2000) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")

"""A minimal JSON-RPC client for `agentls serve`, for sending what no real client would.

pytest-lsp's client only sends well-formed messages; the hardening tests also need
broken framing, invalid JSON, wrong envelopes and huge bodies. `RawServer` starts
the real server as a subprocess over stdio, writes raw bytes, and reads what comes
back with a strict parser of its own (the server's output must be well-framed). The
server's own requests are answered as a quiet editor would (progress tokens
accepted, no configuration, edits refused unless a test says otherwise).

    with RawServer(root) as server:
        server.initialize()
        server.send_raw(b"Content-Length: 3\\r\\n\\r\\n{]")
        assert server.request("workspace/executeCommand", {"command": "agentls.cancelAll"})["result"]
"""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pygls.uris import from_fs_path

AGENTLS = str(Path(sys.executable).parent / "agentls")
HEALTH = {"command": "agentls.cancelAll", "arguments": [{}]}


def frame(message: object) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def no_model_env(home: Path) -> dict:
    """An environment with no model to be found: a task fails fast with a clear error."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "OLLAMA_HOST": "http://127.0.0.1:9",  # nothing listens there
        "AGENTLS_LOCAL_MODEL": str(home / "missing.gguf"),
        **{name: os.environ[name] for name in ("AGENTLS_RERECORD",) if name in os.environ},  # make record
    }


class RawServer:
    def __init__(
        self, root: Path, env: dict | None = None, args: tuple[str, ...] = (), stderr_path: Path | None = None
    ):
        self.root = root
        self.received: list[dict] = []
        self.garbage: list[bytes] = []  # what came on stdout outside any message (there must be none)
        self.answer_apply_edit: Callable[[dict], dict] = lambda params: {"applied": False, "failureReason": "test"}
        self._changed = threading.Condition()
        self._ids = iter(range(1, 1 << 62))
        self.stderr_path = stderr_path or root.parent / f"agentls-stderr-{id(self)}.log"
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 (closed in _close); a file: a full pipe would block the server
        self.process = subprocess.Popen(
            [AGENTLS, "serve", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env if env is not None else dict(os.environ),
            cwd=root,
        )
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True, name="raw-client-reader")
        self._reader.start()

    # -- sending -------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        with self._write_lock:
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def send(self, message: object) -> None:
        self.send_raw(frame(message))

    def notify(self, method: str, params: object = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: object = None, timeout: float = 30, request_id=None) -> dict:
        """Send a request; its response (a dict with "result" or "error"). TimeoutError if none."""
        request_id = f"agentls-test-{next(self._ids)}" if request_id is None else request_id
        mark = self.mark()
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return self.response(request_id, timeout, since=mark)

    def healthy(self, timeout: float = 30) -> bool:
        """Does the server still answer a normal request correctly?"""
        try:
            answer = self.request("workspace/executeCommand", HEALTH, timeout)
        except TimeoutError:
            return False
        return answer.get("result") == {"cancelled": 0}

    def initialize(self, settings: dict | None = None, capabilities: dict | None = None) -> dict:
        uri = from_fs_path(str(self.root))
        answer = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "ws"}],
                "capabilities": capabilities if capabilities is not None else {},
                "initializationOptions": {"agentls": settings or {}},
                "clientInfo": {"name": "agentls-robustness"},
            },
        )
        self.notify("initialized", {})
        return answer

    # -- receiving -----------------------------------------------------------------

    def mark(self) -> int:
        with self._changed:
            return len(self.received)

    def since(self, mark: int) -> list[dict]:
        with self._changed:
            return list(self.received[mark:])

    def wait_for(self, condition: Callable[[list[dict]], object], timeout: float, since: int = 0):
        """Wait until `condition(messages received since the mark)` is truthy; return it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = condition(self.received[since:])
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise TimeoutError(f"no such message within {timeout} s (server exit code {self.process.poll()})")
                self._changed.wait(min(left, 0.5))

    def response(self, request_id, timeout: float = 30, since: int = 0) -> dict:
        def answered(messages):
            return next((m for m in messages if is_response(m) and m.get("id") == request_id), None)

        return self.wait_for(answered, timeout, since)

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length, header = None, b""
            while True:
                line = stream.readline()
                if not line:
                    return
                header += line
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("utf-8", "replace").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length is None:  # something else wrote to stdout: a broken protocol stream
                self.garbage.append(header)
                continue
            message = json.loads(stream.read(length))
            if isinstance(message, dict) and "method" in message and "id" in message:
                self._answer(message)
            with self._changed:
                self.received.append(message)
                self._changed.notify_all()

    def _answer(self, request: dict) -> None:
        """The server asked us something: answer as a quiet editor does."""
        method, params = request["method"], request.get("params") or {}
        if method == "workspace/configuration":
            result = [None for _ in params.get("items", [])]
        elif method == "workspace/applyEdit":
            result = self.answer_apply_edit(params)
        else:  # window/workDoneProgress/create, client/registerCapability, ...
            result = None
        with contextlib.suppress(BrokenPipeError, ValueError):  # the server is gone
            self.send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    # -- ending --------------------------------------------------------------------

    def rss_kib(self) -> int:
        """The server process's resident memory (VmRSS), in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stderr_text(self) -> str:
        if not self._stderr.closed:
            self._stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def stop(self, timeout: float = 10) -> int:
        """Shut down politely if it still runs; its exit code."""
        if self.process.poll() is None:
            try:
                self.request("shutdown", None, timeout)
                self.notify("exit")
            except (TimeoutError, BrokenPipeError, ValueError, OSError):
                pass
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._close()
        return self.process.returncode

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self._close()

    def _close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.process.stdin.close()
        self._reader.join(5)  # the process has ended: its stdout is at EOF
        self.process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> "RawServer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def is_response(message: object) -> bool:
    return isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)

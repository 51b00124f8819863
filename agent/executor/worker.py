"""The worker process: runs validated snippets natively, one at a time, keeping state.

Started by `LocalPythonExecutor` as `python -I -B -m agent.executor.worker FD CONFIG`.
It imports what it needs, closes its sandbox, says "ready", then serves messages
on the socket FD:

    host -> worker: ("run", body, result)   (marshalled code objects)  ("variables", dict)  ("tools", names)
                    ("tool_result", ok, value_or_error)
    worker -> host: ("ready", report)  ("call", tool, args, kwargs)
                    ("done", output, logs, is_final)  ("error", details, logs)

Tools run in the host: a tool name in the snippet's globals is a stub that sends
"call" and waits for "tool_result".
"""

import builtins
import contextlib
import json
import marshal
import pickle
import select
import signal
import sys
import time

from agent.executor import sandbox, wire
from agent.executor.runtime import LogBuffer, ModuleGate, safe_builtins

SPIN_SECONDS = 0.0005
CODE_FILENAME = "<agent code>"  # as policy.CODE_FILENAME (not imported: the worker stays lean)


class FinalAnswerSignal(BaseException):
    """Raised by final_answer() to end the snippet; BaseException so that a model's
    `except Exception` does not swallow it."""


class ToolError(Exception):
    """A tool failed in the host; subclasses carry the host exception's name."""


_TOOL_ERROR_TYPES: dict[str, type] = {}


def tool_error_type(name: str) -> type[BaseException]:
    """Builtin exception types stay themselves (so `except KeyError:` works); others
    become a ToolError subclass with the same name, created once."""
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        return builtin
    if name not in _TOOL_ERROR_TYPES:
        _TOOL_ERROR_TYPES[name] = type(name, (ToolError,), {})
    return _TOOL_ERROR_TYPES[name]


class Worker:
    def __init__(self, fd: int, config: dict):
        self.fd = fd
        self.read_exact = wire.fd_reader(fd)
        self.logs = LogBuffer(config["max_print_chars"])
        self.gate = ModuleGate(frozenset(config["authorized_imports"]))
        self.timeout_seconds = config["timeout_seconds"]
        self.executing = False
        self.final: tuple[object] | None = None
        self.tool_names: set[str] = set()
        self.globals = {
            "__name__": "__main__",
            "__builtins__": safe_builtins(self.gate, self.print),
            "final_answer": self.final_answer,
        }

    # -- what the snippet calls --------------------------------------------------

    def print(self, *args, sep=" ", end="\n", file=None, flush=False):
        if file is not None:
            builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
            return
        sep = " " if sep is None else sep
        end = "\n" if end is None else end
        self.logs.write(sep.join(str(a) for a in args) + end)

    def final_answer(self, answer=None):
        if "final_answer" in self.tool_names:
            answer = self.call_tool("final_answer", (answer,), {})
        self.final = (answer,)
        raise FinalAnswerSignal

    def tool_stub(self, name: str):
        def call(*args, **kwargs):
            return self.call_tool(name, args, kwargs)

        call.__name__ = call.__qualname__ = name
        return call

    def call_tool(self, name: str, args: tuple, kwargs: dict):
        self.send(("call", name, wire.to_plain(args), wire.to_plain(kwargs)))
        # Most tools answer within a few hundred microseconds: spin on the socket
        # briefly rather than sleep, which would add the kernel's wake-up latency.
        spin_until = time.perf_counter() + SPIN_SECONDS
        while time.perf_counter() < spin_until and not select.select([self.fd], [], [], 0)[0]:
            pass
        kind, ok, payload = self.receive()
        if kind != "tool_result":
            raise RuntimeError(f"protocol error: expected tool_result, got {kind}")
        if ok:
            return payload
        error_type, message = payload
        raise tool_error_type(error_type)(message)

    # -- messages ----------------------------------------------------------------

    def send(self, message: tuple) -> None:
        wire.write_all(self.fd, wire.dumps(message))

    def receive(self) -> tuple:
        return pickle.loads(wire.read_frame(self.read_exact))

    def serve(self) -> None:
        while True:
            try:
                message = self.receive()
            except wire.WireError:
                return  # the host closed the connection
            kind = message[0]
            if kind == "run":
                self.send(self.run(message[1], message[2]))
            elif kind == "variables":
                self.globals.update(message[1])
            elif kind == "tools":
                self.tool_names = set(message[1])
                for name in self.tool_names - {"final_answer"}:
                    self.globals[name] = self.tool_stub(name)
            else:
                raise RuntimeError(f"protocol error: unknown message {kind!r}")

    # -- running a snippet -------------------------------------------------------

    def run(self, body, result) -> tuple:
        self.logs.reset()
        self.final = None
        sandbox.set_cpu_budget(int(self.timeout_seconds) + 2)
        value = None
        self.executing = True
        try:
            exec(marshal.loads(body), self.globals)
            if result is not None:
                value = eval(marshal.loads(result), self.globals)
        except FinalAnswerSignal:
            pass
        except KeyboardInterrupt:
            if self.final is None:
                return (
                    "error",
                    {"type": "Timeout", "message": "", "line": None},
                    self.logs.getvalue(),
                )
        except BaseException as e:  # everything the snippet raises is reported to the model
            if self.final is None:
                return ("error", describe_exception(e), self.logs.getvalue())
        finally:
            self.executing = False
        if self.final is not None:
            return ("done", wire.to_plain(self.final[0]), self.logs.getvalue(), True)
        return ("done", wire.to_plain(value), self.logs.getvalue(), False)

    def on_interrupt(self, signum, frame):
        # The host sends SIGINT at its wall-clock timeout; outside a snippet it is ignored.
        if self.executing:
            raise KeyboardInterrupt


def describe_exception(e: BaseException) -> dict:
    line = None
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == CODE_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return {
        "type": type(e).__name__,
        "message": wire.safe_repr(e) if not str(e) else str(e),
        "line": line,
    }


def main() -> None:
    fd = int(sys.argv[1])
    config = json.loads(sys.argv[2])
    sandbox.die_with_parent()
    for module in config["preload"]:
        with contextlib.suppress(ImportError):  # reported to the model if it imports it
            __import__(module)
    worker = Worker(fd, config)
    signal.signal(signal.SIGINT, worker.on_interrupt)
    report = sandbox.apply_sandbox(
        config["max_memory_mb"], config["cpu_seconds_cap"], config["readable"], config["writable"]
    )
    worker.send(("ready", {"landlock": report.landlock, "seccomp": report.seccomp, "notes": report.notes}))
    worker.serve()


if __name__ == "__main__":
    main()

"""Language-server benchmark: start-up and idle memory against jedi-language-server,
and the round trip of a replayed one-step command.

Both servers are started the same way (their console scripts, stdio) by a minimal
JSON-RPC client in this file; start-up is the time from spawning the process to
the `initialize` response; idle RSS is read from /proc after `initialized`.
Writes the "Language server" section of bench/RESULTS.md.

    python -m bench.lsp
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.results import machine, write_section

BIN = Path(sys.executable).parent
RUNS = 10
ROUND_TRIPS = 10


class Client:
    """Just enough LSP over stdio to start a server and send requests."""

    def __init__(self, command: list[str], env: dict | None = None):
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        self.next_id = 0

    def send(self, method: str, params: dict, notify: bool = False) -> int | None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if not notify:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()
        return message.get("id")

    def wait_for(self, request_id: int) -> dict:
        """Read messages until the response to `request_id`; answer the server's requests."""
        while True:
            message = self.read()
            if message.get("id") == request_id and "method" not in message:
                return message
            if "method" in message and "id" in message:  # a request from the server
                result = {"applied": True} if message["method"] == "workspace/applyEdit" else None
                body = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()
                self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                self.process.stdin.flush()

    def read(self) -> dict:
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif line in (b"\r\n", b"\n"):
                return json.loads(self.process.stdout.read(length))

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            self.wait_for(self.send("shutdown", {}))
            self.send("exit", {}, notify=True)
            self.process.wait(timeout=10)
        except (OSError, EOFError, subprocess.TimeoutExpired):
            self.process.kill()


def initialize(client: Client, root: Path, options: dict | None = None) -> float:
    """Seconds from spawning to the initialize response."""
    request = client.send(
        "initialize",
        {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {}, "initializationOptions": options},
    )
    client.wait_for(request)
    elapsed = time.perf_counter() - client.started
    client.send("initialized", {}, notify=True)
    return elapsed


def start_up(command: list[str], root: Path) -> tuple[list[float], list[float]]:
    times, memory = [], []
    for _ in range(RUNS):
        client = Client(command)
        times.append(initialize(client, root))
        time.sleep(0.5)
        memory.append(client.rss_mb())
        client.close()
    return times, memory


def round_trips(root: Path, scratch: Path) -> list[float]:
    recording = scratch / "one_step.jsonl"
    answer = {"role": "assistant", "content": "```python\nfinal_answer('done')\n```"}
    recording.write_text(
        "".join(json.dumps({"kind": "call", "response": answer}) + "\n" for _ in range(ROUND_TRIPS + 1))
    )
    env = {**os.environ, "AGENTLS_RERECORD": "1"}  # the bench's own recording: fill in the requests
    client = Client([str(BIN / "agentls"), "serve"], env=env)
    initialize(client, root, {"agentls": {"model": f"replay:{recording}", "backgroundCommands": "never"}})
    times = []
    for attempt in range(ROUND_TRIPS + 1):
        started = time.perf_counter()
        params = {"command": "agentls.runTask", "arguments": [{"task": "Say done."}]}
        response = client.wait_for(client.send("workspace/executeCommand", params))
        assert response.get("result", {}).get("summary", "").startswith("done"), response
        if attempt:  # the first resolves the model and warms up
            times.append(time.perf_counter() - started)
    client.close()
    return times


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="agentls-bench-lsp-") as scratch:
        root = Path(scratch) / "ws"
        shutil.copytree(Path(__file__).resolve().parent.parent / "examples" / "inventory", root)
        ours_time, ours_rss = start_up([str(BIN / "agentls"), "serve"], root)
        jedi_time, jedi_rss = start_up([str(BIN / "jedi-language-server")], root)
        trips = round_trips(root, Path(scratch))
    jedi_version = subprocess.run([str(BIN / "jedi-language-server"), "--version"], capture_output=True, text=True)
    med = statistics.median
    ratio = med(ours_time) / med(jedi_time)
    body = [
        f"Run: {machine()}; peer: jedi-language-server {jedi_version.stdout.strip()}, started the same way "
        f"(console script, stdio). Medians of {RUNS} starts.",
        "",
        "| | agentls | jedi-language-server | ratio |",
        "|---|---:|---:|---:|",
        f"| process start → `initialize` response | {med(ours_time) * 1e3:.0f} ms | {med(jedi_time) * 1e3:.0f} ms | "
        f"{ratio:.2f}× |",
        f"| idle RSS after `initialized` | {med(ours_rss):.0f} MB | {med(jedi_rss):.0f} MB | "
        f"{med(ours_rss) / med(jedi_rss):.2f}× |",
        "",
        f"- Start-up **{ratio:.2f}×** jedi-language-server's (target ≤ 1.5×); idle RSS **{med(ours_rss):.0f} MB** "
        "(target ≤ 80 MB).",
        f"- Command round trip, replayed one-step task (`agentls.runTask` → agent → answer, no edit): "
        f"**{med(trips) * 1e3:.0f} ms** median, max {max(trips) * 1e3:.0f} ms over {len(trips)}. Most of it is "
        "the sandboxed Python worker's cold start (each task gets a fresh one; with a real model it overlaps the "
        "first model call).",
    ]
    write_section("Language server", "\n".join(body))
    print("\n".join(body))


if __name__ == "__main__":
    main()

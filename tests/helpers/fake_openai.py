"""A real OpenAI-compatible HTTP server, in-process, for testing the model back ends.

It speaks the parts of the API the clients use: POST .../chat/completions (plain
JSON or server-sent events when "stream" is true) and Ollama's GET /api/tags. Each
test queues what the server answers; every request (path, headers, body) is kept.

    with FakeOpenAI() as server:
        server.reply("hello", usage=(12, 3))
        server.fail(429)                     # then a rate-limit error
        server.hang()                        # then no answer until the server stops
        server.endless("again ")             # then a stream that never ends
        server.raw(200, b"not json")         # then whatever bytes a broken server sends
        OpenAIServerModel("m", api_base=server.url + "/v1")
"""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    content: str | None = None
    tool_calls: list[dict] | None = None
    usage: tuple[int, int] = (10, 5)
    delay: float = 0.0
    hang: bool = False  # never answer (until the server stops)
    stall_after: int | None = None  # streaming: send this many chunks, then hang
    endless: bool = False  # streaming: repeat the content until the client hangs up
    body: bytes | None = None  # send these bytes as they are


@dataclass
class Request:
    path: str
    headers: dict
    body: dict = field(default_factory=dict)
    time: float = 0.0  # time.monotonic() when it arrived


class FakeOpenAI:
    def __init__(self, ollama_models: list[str] | None = None):
        self.answers: deque[Answer] = deque()
        self.requests: list[Request] = []
        self.ollama_models = ollama_models
        self.stopping = threading.Event()  # releases hanging answers
        self.hung_up = threading.Event()  # a client closed an endless stream
        self.streamed_chars = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                if self.path == "/api/tags" and server.ollama_models is not None:
                    self._json(200, {"models": [{"name": name} for name in server.ollama_models]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append(Request(self.path, headers, body, time.monotonic()))
                if not self.path.split("?")[0].endswith("/chat/completions"):
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                answer = server.answers.popleft() if server.answers else Answer(content="(no answer queued)")
                if answer.delay:
                    threading.Event().wait(answer.delay)
                if answer.hang:
                    server.stopping.wait()
                    return
                if answer.body is not None:
                    return self._bytes(answer.status, answer.body, "application/json")
                if answer.status != 200:
                    # Like some providers and proxies, a 401 echoes the key it was given.
                    key = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or self.headers.get(
                        "api-key"
                    )
                    message = {401: f"Incorrect API key provided: {key}", 429: "Rate limit reached"}.get(
                        answer.status, "boom"
                    )
                    return self._json(answer.status, {"error": {"message": message, "type": "error", "code": None}})
                if body.get("stream"):
                    return self._stream(answer, body)
                return self._json(200, server.completion(answer, body))

            def _json(self, status: int, payload: dict):
                self._bytes(status, json.dumps(payload).encode(), "application/json")

            def _bytes(self, status: int, data: bytes, content_type: str):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, answer: Answer, body: dict):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if answer.endless:
                    return self._endless(answer, body)
                for sent, chunk in enumerate(server.chunks(answer, body)):
                    if sent == answer.stall_after:
                        server.stopping.wait()
                        return
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def _endless(self, answer: Answer, body: dict):
                base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": body.get("model")}
                chunk = {**base, "created": 0, "choices": [{"index": 0, "delta": {"content": answer.content}}]}
                event = f"data: {json.dumps(chunk)}\n\n".encode()
                try:
                    while not server.stopping.is_set():
                        self.wfile.write(event)
                        self.wfile.flush()
                        server.streamed_chars += len(answer.content)
                except OSError:  # the client hung up
                    server.hung_up.set()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- what to answer ----------------------------------------------------------

    def reply(self, content: str | None = None, tool_calls: list[dict] | None = None, usage=(10, 5), delay=0.0):
        self.answers.append(Answer(200, content, tool_calls, usage, delay))

    def fail(self, status: int, times: int = 1):
        for _ in range(times):
            self.answers.append(Answer(status=status))

    def hang(self, times: int = 1):
        """Accept the request and never answer (until the server stops)."""
        for _ in range(times):
            self.answers.append(Answer(hang=True))

    def stall(self, content: str, after_chunks: int = 2):
        """A streamed answer that stops sending after a few chunks, connection open."""
        self.answers.append(Answer(content=content, stall_after=after_chunks))

    def endless(self, content: str):
        """A streamed answer that repeats `content` until the client hangs up."""
        self.answers.append(Answer(content=content, endless=True))

    def raw(self, status: int, body: bytes, times: int = 1):
        """Answer with these bytes, whatever they are."""
        for _ in range(times):
            self.answers.append(Answer(status=status, body=body))

    def completion(self, answer: Answer, body: dict) -> dict:
        message = {"role": "assistant", "content": answer.content}
        if answer.tool_calls:
            message["tool_calls"] = answer.tool_calls
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "test"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": answer.usage[0],
                "completion_tokens": answer.usage[1],
                "total_tokens": sum(answer.usage),
            },
        }

    def chunks(self, answer: Answer, body: dict):
        base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": body.get("model")}
        text = answer.content or ""
        for start in range(0, len(text), 4):
            yield {**base, "choices": [{"index": 0, "delta": {"content": text[start : start + 4]}}]}
        for index, call in enumerate(answer.tool_calls or []):
            arguments = call["function"]["arguments"]
            half = len(arguments) // 2
            first = {"index": index, "id": call["id"], "type": "function"}
            first["function"] = {"name": call["function"]["name"], "arguments": arguments[:half]}
            yield {**base, "choices": [{"index": 0, "delta": {"tool_calls": [first]}}]}
            rest = {"index": index, "function": {"arguments": arguments[half:]}}
            yield {**base, "choices": [{"index": 0, "delta": {"tool_calls": [rest]}}]}
        yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        usage = {
            "prompt_tokens": answer.usage[0],
            "completion_tokens": answer.usage[1],
            "total_tokens": sum(answer.usage),
        }
        yield {**base, "choices": [], "usage": usage}

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

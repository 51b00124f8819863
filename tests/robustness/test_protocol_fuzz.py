"""Protocol fuzzing: hostile JSON-RPC traffic to a real `agentls serve` over stdio.

Hypothesis generates batches of messages (tests/robustness/fuzz_messages.py: wrong
types, unknown methods, out-of-range positions, unknown URIs and URIs outside the
workspace, didChange for unopened documents, invalid JSON and envelopes, broken
framing) and sends each batch in one write to one server process per test. After
each batch the server must have answered every request exactly once with a proper
result or error, sent nothing for notifications, reported no unhandled exception,
and still serve a normal request. The budget is fixed and the generation
derandomized, so CI sees the same messages every run.
"""

import json
import os

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pygls.uris import from_fs_path

from server.server import UNHANDLED
from tests.robustness import fuzz_messages as fm
from tests.robustness.raw_client import RawServer, is_response, no_model_env
from tests.robustness.report import tally

# CI sends the same 300 batches every run, and the examples that found bugs when
# exploring (@example below). To explore further, run with e.g.
# AGENTLS_FUZZ_EXAMPLES=5000: that many batches, new ones each run.
EXPLORE = int(os.environ.get("AGENTLS_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 300,
    derandomize=not EXPLORE,  # the same messages on every run: CI is deterministic
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
ANSWER_SECONDS = 20  # generous: a shared 2-core machine; a hang takes far longer
HUGE_SECONDS = 60  # a 40 MB message through a pipe on a busy machine; a hang is forever


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / fm.OPEN_DOCUMENT).write_text("import os\n\n\ndef f(x):\n    return x + 1\n")
    raw = RawServer(root, env=no_model_env(tmp_path))
    raw.initialize(capabilities={"workspace": {"applyEdit": True}, "window": {"workDoneProgress": True}})
    raw.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri(root), "languageId": "python", "version": 1, "text": "x = 1\n"}},
    )
    yield raw
    assert raw.stop() == 0, raw.stderr_text()[-3000:]
    assert UNHANDLED not in raw.stderr_text()
    assert raw.garbage == []  # nothing but messages on stdout


def uri(root) -> str:
    return f"{from_fs_path(str(root))}/{fm.OPEN_DOCUMENT}"


RESOLVE_NO_URI = {
    "title": "Fix",
    "data": {"command": "agentls.fixDiagnostics", "arguments": {"uri": None, "range": fm.WHOLE_LINE}},
}


def unhandled(messages: list[dict]) -> list[dict]:
    """pygls's report of an exception a handler did not handle, or an internal error."""
    reports = [
        m
        for m in messages
        if m.get("method") in ("window/showMessage", "window/logMessage")
        and str(m.get("params", {}).get("message", "")).startswith("Error in server")
    ]
    internal = [m for m in messages if is_response(m) and m.get("error", {}).get("code") == -32603]
    return reports + internal


def check_batch(server: RawServer, batch: list[fm.Fuzzed], payload: bytes) -> None:
    """Send `payload` (the batch, framed somehow), then check every expectation."""
    mark = server.mark()
    server.send_raw(payload)
    ids = [f.body["id"] for f in batch if f.expect == "response"]
    for request_id in ids:
        server.response(request_id, ANSWER_SECONDS, since=mark)
    bodies_not_json = sum(f.expect == "parse-error" for f in batch)
    invalid_without_id = sum(f.expect == "invalid-request" and f.request_id is None for f in batch)

    def errors_without_id(got):
        return sum(is_response(m) and m.get("id") is None for m in got) >= bodies_not_json + invalid_without_id

    server.wait_for(errors_without_id, ANSWER_SECONDS, mark)
    assert server.healthy(ANSWER_SECONDS), "the server stopped answering"
    got = server.since(mark)
    assert not unhandled(got), unhandled(got)
    responses = [m for m in got if is_response(m) and not str(m.get("id")).startswith("agentls-test-")]
    for request_id in ids:
        [answer] = [m for m in responses if m.get("id") == request_id]
        if "error" in answer:
            assert answer["error"]["code"] in fm.REQUEST_ERRORS, answer
    for f in batch:
        if f.expect == "invalid-request" and f.request_id is not None:
            [answer] = [m for m in responses if m.get("id") == f.request_id]
            assert answer["error"]["code"] == fm.INVALID_REQUEST, answer
    without_id = [m["error"]["code"] for m in responses if m.get("id") is None]
    assert without_id.count(fm.INVALID_REQUEST) == invalid_without_id, without_id
    # A body that is not JSON is one Parse error, or a few when the server resynchronises
    # inside it (each skipped stretch is reported); never none, never one per byte.
    parse_errors = without_id.count(fm.PARSE_ERROR)
    assert bodies_not_json <= parse_errors <= 3 * bodies_not_json, without_id
    assert len(without_id) == invalid_without_id + parse_errors, without_id
    answered = {m.get("id") for m in responses}
    silent = [f for f in batch if f.expect == "nothing" and "id" in f.body and f.body["id"] in answered]
    assert not silent, f"answered a response or notification: {silent}"


def unique_ids(batch: list[fm.Fuzzed]) -> bool:
    ids = [
        json.dumps(f.body["id"])
        for f in batch
        if isinstance(f.body, dict) and "id" in f.body and f.expect != "parse-error"
    ]
    return len(ids) == len(set(ids))


def test_fuzzed_messages_get_proper_answers_and_the_server_keeps_serving(server):
    tried = {"messages": 0, "batches": 0}

    # The strategies name the workspace by a placeholder, put in place when sending:
    # Hypothesis derives its derandomized seed from them, so they must not contain the
    # test's temporary path (a new one each run).
    root_uri = from_fs_path(str(server.root)).encode()

    @FUZZ
    @given(st.lists(fm.messages(fm.ROOT_PLACEHOLDER), min_size=1, max_size=6))
    @example(
        [
            fm.Fuzzed(
                fm.notification("workspace/didChangeConfiguration", {"settings": {"agentls": {"testCommand": [None]}}}),
                "nothing",
            )
        ]
    )
    @example([fm.Fuzzed({"jsonrpc": "2.0", "id": 0, "method": []}, "invalid-request", 0)])
    @example(
        [fm.Fuzzed({"jsonrpc": "2.0", "id": 1, "method": "codeAction/resolve", "params": RESOLVE_NO_URI}, "response")]
    )
    def fuzz(batch):
        assume(unique_ids(batch))
        bodies = [f.encoded().replace(fm.ROOT_PLACEHOLDER.encode(), root_uri) for f in batch]
        payload = b"".join(b"Content-Length: %d\r\n\r\n" % len(body) + body for body in bodies)
        check_batch(server, batch, payload)
        tried["messages"] += len(batch)
        tried["batches"] += 1

    fuzz()
    tally("protocol: fuzzed messages", injected=tried["messages"], survived=tried["messages"])


def huge_cases(root_uri: str) -> list[tuple[str, bytes, object]]:
    """(what, raw bytes to send, the id whose answer must come: None for an id-null Parse error)."""
    big_uri = f"{root_uri}/big.py"
    text = "x = 1\n" * (20 * 1024 * 1024 // 6)
    open_big = frame_of(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": big_uri, "languageId": "python", "version": 1, "text": text}},
        }
    )
    near_end = {"start": {"line": 3_000_000, "character": 0}, "end": {"line": 3_000_001, "character": 0}}
    ask_big = {
        "jsonrpc": "2.0",
        "id": "huge-1",
        "method": "textDocument/codeAction",
        "params": {"textDocument": {"uri": big_uri}, "range": near_end, "context": {"diagnostics": []}},
    }
    over_cap = {
        "jsonrpc": "2.0",
        "id": "huge-2",
        "method": "workspace/symbol",
        "params": {"query": "q" * (40 * 1024 * 1024)},
    }
    string_for_list = {
        "jsonrpc": "2.0",
        "id": "huge-3",
        "method": "textDocument/codeAction",
        "params": {
            "textDocument": {"uri": f"{root_uri}/{fm.OPEN_DOCUMENT}"},
            "range": near_end,
            "context": {"diagnostics": "d" * (2 * 1024 * 1024)},
        },
    }
    many = b"".join(frame_of({"jsonrpc": "2.0", "method": "$/unknown", "params": {"n": n}}) for n in range(10_000))
    return [
        ("a 20 MB document, then a request on it", open_big + frame_of(ask_big), "huge-1"),
        ("a 40 MB message, over the size cap", frame_of(over_cap), None),
        ("a 2 MB string where a list is expected", frame_of(string_for_list), "huge-3"),
        ("an array nested 1,000,000 deep", b"Content-Length: 1000000\r\n\r\n" + b"[" * 1_000_000, None),
        ("a declared length of 10^14 bytes", b"Content-Length: 100000000000000\r\n\r\n{}", None),
        ("10,000 notifications in one write", many, None),
    ]


def frame_of(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_huge_and_numerous_messages_are_answered_within_budget(server):
    survived = 0
    cases = huge_cases(from_fs_path(str(server.root)))
    for what, payload, request_id in cases:
        mark = server.mark()
        server.send_raw(payload)
        if request_id is not None:
            answer = server.response(request_id, HUGE_SECONDS, since=mark)
            assert "result" in answer or answer["error"]["code"] in fm.REQUEST_ERRORS, (what, answer)
        assert server.healthy(HUGE_SECONDS), what
        got = server.since(mark)
        assert not unhandled(got), (what, unhandled(got))
        errors = [m for m in got if is_response(m) and m.get("id") is None]
        assert len(errors) <= 3, (what, errors)  # one problem, reported once or twice: never per chunk
        survived += 1
    tally("protocol: huge messages", injected=len(cases), survived=survived)

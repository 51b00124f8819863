"""The framing of LSP messages: valid ones in any shape, broken ones skipped, none lost that can be saved."""

import json

from server.transport import FrameReader, FramingError


def frame(obj, length_delta: int = 0, newline: bytes = b"\r\n", extra_headers: bytes = b"") -> bytes:
    body = json.dumps(obj).encode()
    header = b"Content-Length: %d" % (len(body) + length_delta) + newline + extra_headers
    return header + newline + body


def read(stream: bytes, chunk: int = 7) -> list:
    reader = FrameReader(max_message_bytes=10_000)
    found = []
    for start in range(0, len(stream), chunk):
        found += reader.feed(stream[start : start + chunk])
    found += reader.take_partial()
    return [item if isinstance(item, dict) else "error" for item in found]


def test_valid_messages_with_other_headers_lf_only_and_any_case():
    stream = (
        frame({"id": 1}, extra_headers=b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n")
        + frame({"id": 2}, newline=b"\n")
        + b"content-length:%d\r\n\r\n" % len(b'{"id": 3}')
        + b'{"id": 3}'
    )
    assert read(stream) == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_huge_declared_length_is_refused_and_the_next_message_still_read():
    stream = b"Content-Length: 99999999999999\r\n\r\n{...}" + frame({"id": 2})
    assert read(stream) == ["error", "error", {"id": 2}]


def test_missing_or_bad_length_and_garbage_between_messages():
    stream = (
        b"Content-Type: x\r\n\r\n"
        + frame({"id": 1})
        + b"garbage\r\n"
        + b"Content-Length: x\r\n\r\n{}"
        + frame({"id": 2})
    )
    assert [m for m in read(stream) if m != "error"] == [{"id": 1}, {"id": 2}]


def test_too_long_length_recovers_the_swallowed_next_message():
    stream = frame({"id": 1}, length_delta=5) + frame({"id": 2})
    assert read(stream) == [{"id": 1}, {"id": 2}]


def test_too_long_length_at_the_end_is_tried_when_the_stream_goes_quiet():
    assert read(frame({"id": 1}, length_delta=40)) == [{"id": 1}]


def test_too_short_length_loses_only_that_message():
    stream = frame({"id": 1}) + frame({"id": 2}, length_delta=-3) + frame({"id": 3})
    assert [m for m in read(stream) if m != "error"] == [{"id": 1}, {"id": 3}]


def test_errors_are_framing_errors_with_a_reason():
    reader = FrameReader()
    [error] = reader.feed(b"Content-Length: 2\r\n\r\n{]")
    assert isinstance(error, FramingError) and "not JSON" in error.reason


def test_a_slow_client_in_the_middle_of_a_message_is_waited_for():
    reader = FrameReader()
    body = json.dumps({"id": 1, "params": {"text": "x" * 100}}).encode()
    assert reader.feed(b"Content-Length: %d\r\n\r\n" % len(body) + body[:40]) == []
    assert reader.take_partial() == []  # quiet, but not a whole message yet: keep it
    assert reader.feed(body[40:]) == [{"id": 1, "params": {"text": "x" * 100}}]

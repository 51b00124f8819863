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
    assert read(stream) == ["error", {"id": 2}]  # one error: its body is skipped without more


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


def test_a_broken_body_that_swallowed_the_start_of_the_next_header_loses_only_itself():
    broken = b"Content-Length: 3\r\n\r\n{]"  # one byte too long: takes the "C" of the next header
    assert [m for m in read(broken + frame({"id": 2})) if m != "error"] == [{"id": 2}]


def test_a_body_that_ends_in_a_header_name_does_not_hide_the_next_message():
    broken = b"Content-Length: 15\r\n\r\ncontent-length:"
    assert [m for m in read(broken + frame({"id": 2})) if m != "error"] == [{"id": 2}]


def test_a_well_framed_body_with_trailing_garbage_is_not_json():
    assert read(b"Content-Length: 3\r\n\r\n1 2" + frame({"id": 2})) == ["error", {"id": 2}]


def test_a_message_over_the_cap_is_one_error_however_many_chunks_it_arrives_in():
    stream = frame({"id": 1, "text": "x" * 50_000}) + frame({"id": 2})
    assert read(stream, chunk=1024) == ["error", {"id": 2}]

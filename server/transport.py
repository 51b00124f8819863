"""LSP framing over stdio that survives bad input (instead of pygls's reader loop).

Stock pygls 2.1 dies on `Content-Length: 99999999999999` and, after any framing
error, stays alive without ever answering again. `FrameReader` keeps its own
buffer: it accepts LF-only headers and any header order or case, caps a message at
MAX_MESSAGE_BYTES, and after a broken frame resynchronises on the next
`Content-Length:` header, wherever it starts (even inside the broken body, so a
message swallowed by a too-long length is recovered; and when the stream goes
quiet in the middle of a too-long body, what arrived is tried as the message). Bodies are parsed as JSON here,
so a broken one can hand back the header it swallowed at once. Each problem is
reported once as a `FramingError` (the bytes skipped after it are not reported again),
which the server answers with a JSON-RPC error (id null).
"""

import json
import re
from dataclasses import dataclass

MAX_MESSAGE_BYTES = 32 * 1024 * 1024
MAX_HEADER_BYTES = 8192
_HEADER = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\S*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True)
class FramingError:
    reason: str


class FrameReader:
    def __init__(self, max_message_bytes: int = MAX_MESSAGE_BYTES):
        self.buffer = bytearray()
        self.max_message_bytes = max_message_bytes
        self._skipping = False  # inside bytes already reported: a 40 MB gap is one error, not 640

    def feed(self, data: bytes) -> list[object | FramingError]:
        """Add bytes from the stream; return the parsed messages and the errors, in order."""
        self.buffer += data
        messages: list[object | FramingError] = []
        while (frame := self._next()) is not None:
            messages.append(frame if isinstance(frame, FramingError) else self._parse(frame))
        return messages

    def take_partial(self) -> list[object | FramingError]:
        """The stream went quiet in the middle of a body. If what arrived is already a
        whole JSON message, the length was too long: take it. Otherwise the client is
        only slow: keep waiting."""
        end = _HEADER_END.search(self.buffer)
        if end is None or not _HEADER.match(self.buffer):
            return []
        text = bytes(self.buffer[end.end() :]).decode("utf-8", "replace")
        try:
            message, _ = json.JSONDecoder().raw_decode(text, len(text) - len(text.lstrip()))
        except (ValueError, RecursionError):
            return []
        self.buffer.clear()
        return [message]

    def _parse(self, body: bytes) -> object | FramingError:
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as e:
            error = e
        # A too-long length: the body is a whole message followed by the start of the
        # next one. Keep the message and put the rest back in front of the stream.
        text = body.decode("utf-8", "replace")
        stripped = len(text) - len(text.lstrip())
        try:
            message, end = json.JSONDecoder().raw_decode(text, stripped)
            rest = text[end:].encode("utf-8")
        except (ValueError, RecursionError):
            rest = b""
        if _starts_a_header(rest):
            self.buffer[:0] = rest
            return message
        # Not JSON: resynchronise on a header inside the body, or one cut off at its end.
        found = _HEADER.search(body)
        self.buffer[:0] = body[found.start() :] if found is not None else _cut_off_header(body)
        self._skipping = True
        return FramingError(f"a message body is not JSON ({type(error).__name__})")

    def _next(self) -> bytes | FramingError | None:
        start = _HEADER.search(self.buffer)
        if start is None:
            # No header in sight: keep only a tail that could be the start of one.
            garbage = len(self.buffer) - 32
            if garbage > 0:
                del self.buffer[:garbage]
                if not self._skipping:
                    self._skipping = True
                    return FramingError("bytes outside any message were skipped, up to the next header")
            return None
        reported, self._skipping = self._skipping, False
        if start.start() > 0:
            skipped = bytes(self.buffer[: start.start()])
            del self.buffer[: start.start()]
            if skipped.strip() and not reported:
                return FramingError(f"{len(skipped)} bytes before a header were skipped")
        end = _HEADER_END.search(self.buffer)
        if end is None:
            if len(self.buffer) > MAX_HEADER_BYTES:
                del self.buffer[: len(b"content-length:")]
                return FramingError("a header block without an end was skipped")
            return None
        header = bytes(self.buffer[: end.start()])
        match = _LENGTH.search(header)
        body_start = end.end()
        if match is None or not match.group(1).isdigit():
            # Skip this header only: the next one may start inside its block (a broken
            # body that ended in the text "content-length:" runs into the next header).
            following = _HEADER.search(self.buffer, 1, end.start())
            del self.buffer[: following.start() if following is not None else body_start]
            self._skipping = True
            return FramingError("a message without a valid Content-Length was skipped")
        length = int(match.group(1))
        if length > self.max_message_bytes:
            # Its body (if it comes) is scanned past like any bytes outside a message.
            del self.buffer[:body_start]
            self._skipping = True
            return FramingError(f"a message of {length} bytes exceeds the {self.max_message_bytes}-byte limit")
        if len(self.buffer) < body_start + length:
            return None
        body = bytes(self.buffer[body_start : body_start + length])
        del self.buffer[: body_start + length]
        return body


_NAME = b"content-length:"


def _starts_a_header(data: bytes) -> bool:
    """Could `data` (what followed a JSON value in a body) be the next message's header?"""
    data = data.lstrip()
    return bool(data) and (_HEADER.match(data) is not None or _NAME.startswith(data.lower()))


def _cut_off_header(data: bytes) -> bytes:
    """The end of `data` that may be the beginning of a header, cut off by a too-long length."""
    lowered = data[-len(_NAME) :].lower()
    for size in range(len(lowered), 0, -1):
        if _NAME.startswith(lowered[-size:]):
            return data[-size:]
    return b""

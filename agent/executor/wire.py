"""Messages between the host and the worker: length-prefixed pickles over a socket pair.

The two directions are not symmetric. The host is trusted, so the worker unpickles
what the host sends (tool results, variables) as usual. The worker runs a model's
code, so the host reads the worker's messages with `load_plain`, which admits only
plain data (str, bytes, int, float, bool, None, lists, tuples, dicts, sets), with
no pickle globals at all; the worker reduces everything it sends to such data with
`to_plain` first (anything else, complex numbers included, arrives as its repr).
"""

import io
import os
import pickle
import struct

HEADER = struct.Struct("!Q")
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000  # shared references can make a small pickle a huge (or exponential) tree
_PLAIN_SCALARS = (str, bytes, int, float, bool, type(None))


class WireError(Exception):
    """The other side broke the protocol (closed, oversized or malformed message)."""


def dumps(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def read_frame(read_exact) -> bytes:
    """One message body; `read_exact(n)` returns exactly n bytes or raises WireError."""
    (size,) = HEADER.unpack(read_exact(HEADER.size))
    if size > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {size} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    return read_exact(size)


def fd_reader(fd: int):
    """`read_exact` for a raw file descriptor (the worker's side)."""

    def read_exact(n: int) -> bytes:
        chunks, remaining = [], n
        while remaining:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise WireError("connection closed")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    return read_exact


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _PlainUnpickler(pickle.Unpickler):
    # Plain data has opcodes of its own; nothing may name a global (no REDUCE, so no
    # bytearray(10**12) built in the host).
    def find_class(self, module: str, name: str):
        raise WireError(f"the worker sent a forbidden type {module}.{name}")


def load_plain(data: bytes) -> object:
    """Unpickle data from the untrusted side: plain data only, bounded in size and
    depth; anything else raises."""
    try:
        value = _PlainUnpickler(io.BytesIO(data)).load()
    except WireError:
        raise
    except Exception as e:  # any malformed pickle is a protocol violation
        raise WireError(f"malformed message from the worker: {type(e).__name__}: {e}") from None
    _check_bounds(value)
    return value


def _check_bounds(value: object) -> None:
    budget = MAX_NODES
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0 or depth > MAX_DEPTH:
            raise WireError("the worker sent data too large or too deep")
        if isinstance(item, list | tuple | set | frozenset):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, dict):
            stack.extend((child, depth + 1) for pair in item.items() for child in pair)


def to_plain(value: object, depth: int = 0) -> object:
    """`value` reduced to plain data; anything else becomes its repr (a str)."""
    if isinstance(value, _PLAIN_SCALARS) and type(value) in _PLAIN_SCALARS:
        return value
    if depth < MAX_DEPTH:
        kind = type(value)
        if kind in (list, tuple, set, frozenset):
            return kind(to_plain(v, depth + 1) for v in value)
        if kind is dict:
            return {to_plain(k, depth + 1): to_plain(v, depth + 1) for k, v in value.items()}
    return safe_repr(value)


def safe_repr(value: object, limit: int = 10_000) -> str:
    try:
        text = repr(value)
    except Exception as e:  # a model-defined __repr__ may raise anything
        text = f"<{type(value).__name__} object (repr failed: {type(e).__name__})>"
    if len(text) > limit:
        text = text[: limit // 2] + f" ...[{len(text) - limit} chars]... " + text[-limit // 2 :]
    return text

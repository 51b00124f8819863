"""Hypothesis strategies for hostile JSON-RPC traffic, each message paired with what
the server must answer (JSON-RPC 2.0 and LSP, not our implementation):

- a request with a valid id: exactly one response with that id, a result or an error
  with one of REQUEST_ERRORS (never -32603, an unhandled exception);
- a notification, or a response to the server: nothing;
- a body that is not JSON: one Parse error (-32700) with `"id": null`;
- an invalid envelope: one Invalid Request error (-32600), with the id if it is valid.

Known methods get near-valid params with hostile values (wrong types, negative and
huge positions, URIs outside the workspace or of unopened documents, blank texts);
unknown methods get anything.
"""

import json
from dataclasses import dataclass

from hypothesis import strategies as st

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
REQUEST_FAILED, REQUEST_CANCELLED = -32803, -32800
REQUEST_ERRORS = {METHOD_NOT_FOUND, INVALID_PARAMS, REQUEST_FAILED, REQUEST_CANCELLED}
COMMANDS = ["agentls.runTask", "agentls.editSelection", "agentls.fixDiagnostics", "agentls.explain"]
ROOT_PLACEHOLDER = "file:///agentls-fuzz-workspace"  # the test puts the real root URI in its place
OPEN_DOCUMENT = "a.py"  # opened by the test before fuzzing; the health check relies on nothing else


@dataclass
class Fuzzed:
    """One message to send (`body` is raw bytes when it is not JSON) and what must come back."""

    body: object
    expect: str  # "response" (to its id), "nothing", "parse-error", "invalid-request"
    request_id: object = None  # the id the error must carry for "invalid-request" (None: null)

    def encoded(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()


WHOLE_LINE = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}


def notification(method: str, params: object) -> dict:
    return {"jsonrpc": "2.0", "method": method, "params": params}


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
anything = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def sometimes_anything(plausible):
    """Mostly a plausible value, sometimes any JSON at all (a wrong type); rarely enough
    that many messages get past structuring to the handlers' own checks."""
    return st.integers(0, 7).flatmap(lambda n: anything if n == 7 else plausible)


def uris(root_uri: str):
    return sometimes_anything(
        st.sampled_from(
            [
                f"{root_uri}/{OPEN_DOCUMENT}",
                f"{root_uri}/never_opened.py",
                f"{root_uri}/missing/dir/x.py",
                root_uri,
                f"{root_uri}/../outside.py",
                f"{root_uri}/%2e%2e/%2e%2e/etc/passwd",
                "file:///etc/passwd",
                "file:///",
                "untitled:Untitled-1",
                "file://server/share/x.py",
                "not a uri",
                "",
            ]
        )
        | st.builds(lambda: "file:///" + "x" * 5000 + ".py")  # built, not shown: keeps reprs short
    )


numbers = sometimes_anything(st.one_of(st.integers(0, 3), st.sampled_from([-1, 2**31 - 1, 2**31, 2**53, 2**64])))
texts = sometimes_anything(
    st.one_of(st.text(max_size=30), st.sampled_from(["", " ", "\n", "\t \u2028"]), st.builds(lambda: "x" * 30_000))
)


def positions():
    return sometimes_anything(st.fixed_dictionaries({"line": numbers, "character": numbers}))


def ranges():
    return sometimes_anything(st.fixed_dictionaries({"start": positions(), "end": positions()}))


def command_arguments(root_uri: str, command: str):
    """Arguments for `command`: the required ones present (plausible or not), some optional ones."""
    uri, background = uris(root_uri), sometimes_anything(st.booleans())
    required, optional = {
        "agentls.runTask": ({"task": texts}, {"uri": uri, "background": background}),
        "agentls.editSelection": ({"uri": uri, "range": ranges(), "instruction": texts}, {"background": background}),
        "agentls.fixDiagnostics": (
            {"uri": uri},
            {
                "range": ranges(),
                "diagnostics": sometimes_anything(st.lists(texts, max_size=2)),
                "background": background,
            },
        ),
        "agentls.explain": ({"uri": uri, "range": ranges()}, {"background": background}),
    }.get(command, ({}, {"task": texts, "uri": uri}))
    return st.fixed_dictionaries(required, optional={**optional, "colour": anything})


def commands(root_uri: str):
    """An executeCommand's params: a known or unknown command with its arguments."""
    names = st.sampled_from([*COMMANDS, "agentls.cancelAll", "agentls.nope"])
    return names.flatmap(
        lambda name: st.fixed_dictionaries(
            {
                "command": st.just(name),
                "arguments": sometimes_anything(st.lists(command_arguments(root_uri, name), min_size=1, max_size=1)),
            }
        )
    )


def diagnostics():
    return st.fixed_dictionaries({"range": ranges(), "message": texts}, optional={"code": anything})


def request_params(root_uri: str) -> dict:
    """Near-valid params for each request method agentls answers, or does not."""
    document = st.fixed_dictionaries({"uri": uris(root_uri)})
    return {
        "workspace/executeCommand": sometimes_anything(commands(root_uri)),
        "textDocument/codeAction": st.fixed_dictionaries(
            {
                "textDocument": sometimes_anything(document),
                "range": ranges(),
                "context": sometimes_anything(
                    st.fixed_dictionaries(
                        {"diagnostics": sometimes_anything(st.lists(diagnostics(), max_size=2))},
                        optional={"only": sometimes_anything(st.lists(st.sampled_from(["quickfix", "refactor", "x"])))},
                    )
                ),
            }
        ),
        "codeAction/resolve": st.fixed_dictionaries(
            {
                "title": texts,
                "data": sometimes_anything(
                    st.sampled_from(["agentls.fixDiagnostics", "agentls.editSelection"]).flatmap(
                        lambda name: st.fixed_dictionaries(
                            {"command": st.just(name), "arguments": command_arguments(root_uri, name)}
                        )
                    )
                ),
            },
            optional={"kind": texts},
        ),
        "textDocument/hover": st.fixed_dictionaries({"textDocument": document, "position": positions()}),
        "textDocument/completion": st.fixed_dictionaries({"textDocument": document, "position": positions()}),
        "workspace/symbol": st.fixed_dictionaries({"query": texts}),
    }


def notification_params(root_uri: str) -> dict:
    versioned = st.fixed_dictionaries({"uri": uris(root_uri), "version": numbers})
    change = st.one_of(
        st.fixed_dictionaries({"text": texts}),
        st.fixed_dictionaries({"range": ranges(), "text": texts}),
    )
    return {
        "textDocument/didOpen": st.fixed_dictionaries(
            {
                "textDocument": sometimes_anything(
                    st.fixed_dictionaries(
                        {"uri": uris(root_uri), "languageId": texts, "version": numbers, "text": texts}
                    )
                )
            }
        ),
        "textDocument/didChange": st.fixed_dictionaries(
            {
                "textDocument": sometimes_anything(versioned),
                "contentChanges": sometimes_anything(st.lists(change, max_size=3)),
            }
        ),
        "textDocument/didSave": st.fixed_dictionaries({"textDocument": st.fixed_dictionaries({"uri": uris(root_uri)})}),
        "textDocument/didClose": st.fixed_dictionaries(
            {"textDocument": sometimes_anything(st.fixed_dictionaries({"uri": uris(root_uri)}))}
        ),
        "workspace/didChangeConfiguration": st.fixed_dictionaries(
            {
                "settings": sometimes_anything(
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "agentls": sometimes_anything(
                                st.fixed_dictionaries(
                                    {},
                                    optional={
                                        "maxSteps": numbers,
                                        "timeouts": anything,
                                        "testCommand": anything,
                                        "verify": texts,
                                        "model": st.sampled_from(["", "auto", "nonsense", 5]),
                                    },
                                )
                            )
                        },
                    )
                )
            }
        ),
        "$/cancelRequest": st.fixed_dictionaries({"id": anything}),
        "window/workDoneProgress/cancel": st.fixed_dictionaries({"token": anything}),
        "$/setTrace": st.fixed_dictionaries({"value": texts}),
    }


# Methods the server must never be sent by a fuzzer: they end the session on purpose.
ENDING = {"shutdown", "exit", "initialize"}
method_names = st.text(min_size=1, max_size=30).filter(lambda name: name not in ENDING)
valid_ids = st.one_of(st.integers(-(2**63), 2**63), st.text(max_size=20))


def requests(root_uri: str):
    known = st.sampled_from(sorted(request_params(root_uri).items())).flatmap(
        lambda item: st.tuples(st.just(item[0]), item[1])
    )
    unknown = st.tuples(method_names | st.sampled_from(["$/unknown", "textDocument/definition"]), anything)
    return (
        st.tuples(st.one_of(known, known, unknown), valid_ids)
        .map(lambda t: Fuzzed({"jsonrpc": "2.0", "id": t[1], "method": t[0][0], "params": t[0][1]}, "response"))
        .filter(lambda f: isinstance(f.body["params"], dict | list) or f.body["params"] is None)
    )


def notifications(root_uri: str):
    known = st.sampled_from(sorted(notification_params(root_uri).items())).flatmap(
        lambda item: st.tuples(st.just(item[0]), item[1])
    )
    unknown = st.tuples(method_names | st.just("$/unknownNotification"), st.dictionaries(st.text(max_size=5), anything))
    return st.one_of(known, known, unknown).map(
        lambda t: Fuzzed({"jsonrpc": "2.0", "method": t[0], "params": t[1]}, "nothing")
    )


def stray_responses():
    """Answers to requests the server never sent: nothing comes back."""
    return st.tuples(valid_ids, anything, st.booleans()).map(
        lambda t: Fuzzed(
            {"jsonrpc": "2.0", "id": t[0], **({"result": t[1]} if t[2] else {"error": {"code": 1, "message": "x"}})},
            "nothing",
        )
    )


def not_json():
    valid = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "workspace/executeCommand"}).encode()
    return st.one_of(
        st.binary(min_size=1, max_size=40).filter(lambda b: not _is_json(b)),
        st.integers(1, len(valid) - 1).map(lambda cut: valid[:cut]),
        st.builds(lambda: b"[" * 100_000),  # deeper than any parser's recursion
        st.just(b'{"jsonrpc": "2.0", "method": "x", "params": NaN'),
    ).map(lambda body: Fuzzed(body, "parse-error"))


def invalid_envelopes():
    wrong_ids = st.one_of(
        st.none(),
        st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x)),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        st.just({}),
    )
    not_objects = st.one_of(leaves, st.lists(anything, max_size=3)).map(lambda body: Fuzzed(body, "invalid-request"))
    bad_version = st.tuples(st.sampled_from([None, "1.0", 2, "2"]), valid_ids).map(
        lambda t: Fuzzed({"jsonrpc": t[0], "id": t[1], "method": "workspace/executeCommand"}, "invalid-request", t[1])
    )
    bad_method = st.tuples(anything.filter(lambda m: not isinstance(m, str)), valid_ids).map(
        lambda t: Fuzzed({"jsonrpc": "2.0", "id": t[1], "method": t[0]}, "invalid-request", t[1])
    )
    bad_id = wrong_ids.map(
        lambda i: Fuzzed({"jsonrpc": "2.0", "id": i, "method": "workspace/symbol", "params": {}}, "invalid-request")
    )
    bad_params = st.tuples(st.one_of(st.text(), st.integers(), st.booleans()), valid_ids).map(
        lambda t: Fuzzed(
            {"jsonrpc": "2.0", "id": t[1], "method": "textDocument/codeAction", "params": t[0]}, "invalid-request", t[1]
        )
    )
    neither = st.dictionaries(st.sampled_from(["jsonrpc", "params", "result", "x"]), anything).map(
        lambda body: Fuzzed({**body, "jsonrpc": "2.0"}, "invalid-request")
    )
    return st.one_of(not_objects, bad_version, bad_method, bad_id, bad_params, neither)


def messages(root_uri: str):
    return st.one_of(
        requests(root_uri),
        requests(root_uri),
        requests(root_uri),
        notifications(root_uri),
        notifications(root_uri),
        stray_responses(),
        not_json(),
        invalid_envelopes(),
    )


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True

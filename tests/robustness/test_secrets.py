"""Secrets: an API key never leaves the server except towards its provider.

A sentinel key is given by the environment or by the `apiKey` setting; the model is a
real OpenAI-compatible HTTP server (tests/helpers/fake_openai.py) that answers 401
with the key echoed in the body, as some providers and proxies do. The sentinel is
also pasted into invalid setting values and unknown setting names. Every channel is
then searched for it: each window/logMessage, window/showMessage, $/progress, every
result and error, the server's log on stderr (at DEBUG, so every log line runs) and
the recording (AGENTLS_RECORD). The provider must have received it: otherwise the
test would prove nothing.
"""

import json
from pathlib import Path

import pytest

from tests.robustness.raw_client import RawServer, no_model_env
from tests.robustness.report import tally

# As long as a real project key (164 characters), so that a message cut at 80 would
# show part of it: any 16 characters of it count as a leak.
SENTINEL = "sk-proj-SENTINEL-" + "".join(f"{n * 7919 % 65536:04x}" for n in range(37))
PIECE = 16


def leaks(text: str, secret: str = SENTINEL) -> bool:
    return any(secret[i : i + PIECE] in text for i in range(len(secret) - PIECE + 1))


TASK_SECONDS = 120  # litellm's first import takes seconds on a busy machine


def channels(server: RawServer, recording: Path | None) -> dict[str, str]:
    """Everything the server let out, by channel."""
    by_channel: dict[str, list] = {"window/logMessage": [], "window/showMessage": [], "$/progress": []}
    by_channel.update({"results and errors": [], "other messages": []})
    for message in server.since(0):
        method = message.get("method")
        if method in by_channel:
            by_channel[method].append(message)
        elif "method" not in message:
            by_channel["results and errors"].append(message)
        else:
            by_channel["other messages"].append(message)
    found = {name: json.dumps(messages, ensure_ascii=False) for name, messages in by_channel.items()}
    found["stdout outside messages"] = b"".join(server.garbage).decode("utf-8", "replace")
    found["stderr log"] = server.stderr_text()
    if recording is not None:
        found["recording"] = recording.read_text() if recording.exists() else ""
    return found


def check_no_leak(server: RawServer, recording: Path | None = None) -> None:
    found = channels(server, recording)
    leaked = [name for name, text in found.items() if leaks(text)]
    kind = "secrets: sentinel key channels checked"
    tally(kind, injected=len(found), survived=len(found) - len(leaked), leaked=len(leaked))
    assert not leaked, {name: _around(found[name]) for name in leaked}


def _around(text: str) -> str:
    at = next(text.find(SENTINEL[i : i + PIECE]) for i in range(len(SENTINEL)) if SENTINEL[i : i + PIECE] in text)
    return text[max(0, at - 300) : at + 100]


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "app.py").write_text("def add(a, b):\n    return a + b\n")
    return root


def run_task(server: RawServer) -> dict:
    arguments = {"task": "Add a docstring to add().", "uri": server.root.joinpath("app.py").as_uri()}
    return server.request(
        "workspace/executeCommand", {"command": "agentls.runTask", "arguments": [arguments]}, TASK_SECONDS
    )


@pytest.mark.parametrize("given_by", ["environment", "setting"])
def test_a_key_echoed_by_a_failing_provider_is_never_shown_logged_or_recorded(
    workspace, tmp_path, fake_openai, given_by
):
    env = no_model_env(tmp_path)
    env["AGENTLS_RECORD"] = str(tmp_path / "recording.jsonl")
    settings = {"model": "openai/gpt-4o-mini", "apiBase": f"{fake_openai.url}/v1", "backgroundCommands": "never"}
    if given_by == "environment":
        env["OPENAI_API_KEY"] = SENTINEL
    else:
        settings["apiKey"] = SENTINEL
    fake_openai.reply("I will look first.\n```python\nprint(read_file('app.py'))\n```")
    fake_openai.fail(401)
    server = RawServer(workspace, env=env, args=("--log-level", "DEBUG"))
    try:
        server.initialize(settings, capabilities={"window": {"workDoneProgress": True}})
        answer = run_task(server)
        assert "authentication failed" in json.dumps(answer), answer
    finally:
        server.stop()
    assert [r.headers.get("authorization") for r in fake_openai.requests] == [f"Bearer {SENTINEL}"] * 2
    assert server.garbage == []  # the protocol stream stayed clean (litellm logs to stdout)
    check_no_leak(server, tmp_path / "recording.jsonl")


def test_a_key_pasted_into_invalid_settings_is_never_echoed(workspace, tmp_path):
    env = no_model_env(tmp_path)
    env["OPENAI_API_KEY"] = SENTINEL  # known to be a secret from the start
    pasted = {"maxSteps": SENTINEL, "timeouts": {"task": SENTINEL}, "testCommand": {"key": SENTINEL}}
    server = RawServer(workspace, env=env, args=("--log-level", "DEBUG"))
    try:
        server.initialize({**pasted, "model": SENTINEL, SENTINEL: True})
        answer = run_task(server)  # the model named by the key: an error that names the model
        assert answer["error"]["code"] == -32803, answer
        server.notify("workspace/didChangeConfiguration", {"settings": {"agentls": {**pasted, "verify": SENTINEL}}})
        assert server.healthy()
    finally:
        server.stop()
    shown = [m for m in server.since(0) if m.get("method") == "window/showMessage"]
    assert len(shown) == 2, shown  # the problems were reported, without the value
    check_no_leak(server)


def test_a_key_only_in_settings_is_secret_before_anything_logs_it(workspace, tmp_path):
    """The key arrives in initializationOptions and in a later configuration change,
    and is also pasted where it does not belong: pygls logs the raw params at DEBUG
    before any handler runs."""
    server = RawServer(workspace, env=no_model_env(tmp_path), args=("--log-level", "DEBUG"))
    try:
        server.initialize({"apiKey": SENTINEL, "maxSteps": SENTINEL})
        rotated = SENTINEL[::-1]
        server.notify("workspace/didChangeConfiguration", {"settings": {"agentls": {"apiKey": rotated}}})
        assert server.healthy()
    finally:
        server.stop()
    check_no_leak(server)
    assert not leaks(json.dumps(server.since(0)) + server.stderr_text(), rotated)


def test_a_key_the_agent_reads_in_the_workspace_and_repeats_is_not_shown(workspace, tmp_path, fake_openai):
    """A project file holds the key; the model reads it and repeats it in its answer.
    The file goes to the provider (that is the agent's job); the answer the user sees,
    its progress and the log do not carry the key."""
    (workspace / "config.py").write_text(f'API_KEY = "{SENTINEL}"\n')
    env = {**no_model_env(tmp_path), "OPENAI_API_KEY": SENTINEL, "AGENTLS_RECORD": str(tmp_path / "recording.jsonl")}
    settings = {"model": "openai/gpt-4o-mini", "apiBase": f"{fake_openai.url}/v1", "backgroundCommands": "never"}
    fake_openai.reply("Let me see the configuration.\n```python\nprint(read_file('config.py'))\n```")
    fake_openai.reply("I'll quote it.\n```python\nfinal_answer('The file says: ' + read_file('config.py'))\n```")
    server = RawServer(workspace, env=env, args=("--log-level", "DEBUG"))
    try:
        server.initialize(settings, capabilities={"window": {"workDoneProgress": True}})
        answer = run_task(server)
        assert "The file says" in answer["result"]["summary"], answer
    finally:
        server.stop()
    assert leaks(json.dumps(fake_openai.requests[-1].body))  # the model saw the file, as it should
    check_no_leak(server, tmp_path / "recording.jsonl")

"""`agentls run`: the agent from a terminal or CI, through the language server.

    agentls run "<task>" --workspace DIR [--model M] [--apply] [--json] [--record FILE]

It starts `agentls serve` as a subprocess and drives it as an editor would (pygls's
LanguageClient): executes agentls.runTask, answers workspace/applyEdit by taking
the edit into memory, shows $/progress (a live line on a terminal, plain lines
otherwise), prints the change as a unified diff, and writes it to disk only with
--apply (and only where the disk still holds what the agent read). Ctrl-C sends
$/cancelRequest and exits with nothing written.

Exit codes: 0 done; 1 the agent failed (or its change was refused, e.g. it broke
tests); 2 bad usage or configuration (no such workspace, no model); 130 cancelled.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path, to_fs_path

from server import __version__, commands
from server.protocol import REQUEST_FAILED
from tools.textdiff import unified_diff

EXIT_DONE, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130
CANCEL_GRACE_SECONDS = 3.0
_LSP_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def add_parser(commands_parser) -> None:
    run = commands_parser.add_parser("run", help="run a task headless, through the language server")
    run.add_argument("task", help="what to do, in words")
    run.add_argument("--workspace", default=".", help="the project folder (default: the current one)")
    run.add_argument("--model", help="model id (e.g. openai/gpt-4o-mini, local, replay:run.jsonl); default auto")
    run.add_argument("--apply", action="store_true", help="write the change to disk (default: only show it)")
    run.add_argument("--json", action="store_true", help="print a machine-readable result on stdout")
    run.add_argument("--record", metavar="FILE", help="record the model's calls to FILE (JSONL, replayable)")
    run.add_argument("--max-steps", type=int, help="step limit (default 20)")
    run.add_argument("--no-tests", action="store_true", help="do not run the workspace's tests (untrusted code)")


class Changes:
    """The edits the server asked to apply, held in memory as a text per file."""

    def __init__(self):
        self.original: dict[Path, str | None] = {}
        self.current: dict[Path, str | None] = {}

    def apply(self, edit: types.WorkspaceEdit) -> None:
        for change in edit.document_changes or []:
            if isinstance(change, types.TextDocumentEdit):
                path = self._load(change.text_document.uri)
                self.current[path] = _apply_text_edits(self.current[path] or "", change.edits)
            elif isinstance(change, types.CreateFile):
                self.current[self._load(change.uri)] = ""
            elif isinstance(change, types.DeleteFile):
                self.current[self._load(change.uri)] = None
        for uri, edits in (edit.changes or {}).items():
            path = self._load(uri)
            self.current[path] = _apply_text_edits(self.current[path] or "", edits)

    def _load(self, uri: str) -> Path:
        path = Path(to_fs_path(uri))
        if path not in self.original:
            text = path.read_text(encoding="utf-8") if path.exists() else None
            self.original[path] = self.current[path] = text
        return path

    def diff(self, root: Path) -> str:
        return "".join(
            unified_diff(path.relative_to(root).as_posix(), self.original[path], self.current[path])
            for path in sorted(self.current)
            if self.current[path] != self.original[path]
        )

    def write(self) -> list[str]:
        """Write the changed files, each atomically; a file that changed on disk since is
        left alone (returned as a problem)."""
        problems = []
        for path, text in self.current.items():
            if text == self.original[path]:
                continue
            on_disk = path.read_text(encoding="utf-8") if path.exists() else None
            if on_disk != self.original[path]:
                problems.append(f"{path} changed on disk while the agent worked; not written")
            elif text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_name(f".{path.name}.agentls-tmp")
                temporary.write_text(text, encoding="utf-8", newline="")
                os.replace(temporary, path)
        return problems


def _apply_text_edits(text: str, edits) -> str:
    lines = _LSP_LINES.findall(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:  # utf-32: characters are code points
        return offsets[position.line] + position.character if position.line < len(lines) else len(text)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


class Display:
    """Progress on stderr: one live line on a terminal, plain lines otherwise."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.live = sys.stderr.isatty()

    def line(self, text: str) -> None:
        if self.quiet:
            return
        if self.live:
            sys.stderr.write("\r\033[K" + text[: os.get_terminal_size(2).columns - 1])
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.live and not self.quiet:
            sys.stderr.write("\n")


def server_command() -> list[str]:
    # -I: the user's working directory (maybe the workspace, with a `tools` package of
    # its own) never lands on sys.path.
    return [sys.executable, "-I", "-m", "server.cli", "serve"]


def client_capabilities() -> types.ClientCapabilities:
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf32]),
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True,
                resource_operations=[types.ResourceOperationKind.Create, types.ResourceOperationKind.Delete],
            ),
        ),
    )


async def run(args: argparse.Namespace) -> int:
    root = Path(args.workspace).resolve()
    if not root.is_dir():
        print(f"agentls run: {args.workspace} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    display = Display(quiet=args.json)
    changes = Changes()
    client = LanguageClient("agentls-run", __version__)
    _handle_server_messages(client, changes, display)
    env = dict(os.environ)
    if args.record:
        env["AGENTLS_RECORD"] = str(Path(args.record).resolve())
    await client.start_io(*server_command(), env=env)
    settings = {"trustWorkspace": not args.no_tests, "backgroundCommands": "never"}
    if args.model:
        settings["model"] = args.model
    if args.max_steps:
        settings["maxSteps"] = args.max_steps
    await client.initialize_async(
        types.InitializeParams(
            capabilities=client_capabilities(),
            root_uri=from_fs_path(str(root)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name=root.name)],
            initialization_options={"agentls": settings},
            client_info=types.ClientInfo(name="agentls-run", version=__version__),
        )
    )
    client.initialized(types.InitializedParams())
    request = client.protocol.send_request_async(
        types.WORKSPACE_EXECUTE_COMMAND,
        types.ExecuteCommandParams(command=commands.RUN_TASK, arguments=[{"task": args.task}]),
        msg_id="agentls-run-1",
    )
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)  # Ctrl-C: ours to handle, not asyncio's
    running = asyncio.ensure_future(request)
    waiting = asyncio.ensure_future(interrupted.wait())
    await asyncio.wait({running, waiting}, return_when=asyncio.FIRST_COMPLETED)
    loop.remove_signal_handler(signal.SIGINT)
    if not running.done():
        client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="agentls-run-1"))
        await asyncio.wait({running}, timeout=CANCEL_GRACE_SECONDS)  # the server stops the agent
        display.done()
        print("agentls run: cancelled; nothing was written.", file=sys.stderr)
        await _stop(client, graceful=False)
        return EXIT_CANCELLED
    waiting.cancel()
    try:
        result = running.result()
    except JsonRpcException as e:
        display.done()
        print(f"agentls run: {e}", file=sys.stderr)
        await _stop(client)
        return EXIT_USAGE if getattr(e, "code", None) == REQUEST_FAILED else EXIT_FAILED
    display.done()
    await _stop(client)
    return report(args, root, result, changes)


def _handle_server_messages(client: LanguageClient, changes: Changes, display: Display) -> None:
    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        changes.apply(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create_progress(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        value = params.value if isinstance(params.value, dict) else {}
        text = value.get("message") or value.get("title") or ""
        if text:
            display.line(f"agentls: {text}")

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def show_message(params: types.ShowMessageParams) -> None:
        display.line(f"agentls: {params.message}")

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def log_message(params: types.LogMessageParams) -> None:
        if params.type in (types.MessageType.Error, types.MessageType.Warning):
            display.line(f"agentls: {params.message}")


async def _stop(client: LanguageClient, graceful: bool = True) -> None:
    if graceful:
        try:
            await asyncio.wait_for(client.shutdown_async(None), 10)
            client.exit(None)
        except (TimeoutError, JsonRpcException, OSError):
            pass
    server = client._server  # pygls's stop() waits for the process without a limit
    if server is not None and not graceful and server.returncode is None:
        server.terminate()
    if server is not None:
        try:
            await asyncio.wait_for(server.wait(), 10)
        except TimeoutError:
            server.kill()
    await client.stop()


def report(args: argparse.Namespace, root: Path, result, changes: Changes) -> int:
    result = result if isinstance(result, dict) else {}
    diff = changes.diff(root)
    problems = changes.write() if args.apply and diff else []
    written = bool(args.apply and diff and not problems)
    verdict = result.get("verdict") or {}
    failed = not diff and not result.get("applied") and "No files were changed" not in result.get("summary", "")
    if args.json:
        output = {
            "applied": written,
            "summary": result.get("summary", ""),
            "steps": result.get("steps", 0),
            "tokens": result.get("tokens", {}),
            "cost": result.get("cost"),
            "verdict": verdict,
            "diff": diff,
            "problems": problems,
        }
        print(json.dumps(output, indent=2))
    else:
        print(result.get("summary", "").strip())
        print(
            f"\nsteps: {result.get('steps', 0)}, tokens: {result.get('tokens', {})}, "
            f"tests: {verdict.get('tests', 'not run')}, lint: {verdict.get('lint', 'not run')}"
        )
        if diff:
            print("\n" + diff, end="")
            print("\n(written to disk)" if written else "\n(not written: run again with --apply to write it)")
        for problem in problems:
            print(f"agentls run: {problem}", file=sys.stderr)
    return EXIT_FAILED if failed or problems else EXIT_DONE

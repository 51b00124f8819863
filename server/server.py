"""The agentls language server: builds the server and lets each feature register itself.

    server = create_server()
    server.start_io()          # stdio, with the hardened framing of server/transport.py

Everything a feature does lives in server/features/; this module holds what they
share: settings, the workspace session, the model, the task runner, and the few
client interactions (open documents, applying an edit).
"""

import asyncio
import logging
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from agent.redaction import redact
from server import __version__
from server.config import Settings
from server.features import (
    cancel,
    code_actions,
    edit_selection,
    explain,
    fix_diagnostics,
    run_task,
    settings,
)
from server.mcp_servers import MCPServers
from server.protocol import PARSE_ERROR, AgentProtocol, fast_converter, request_failed
from server.session import ModelCache, Session
from server.tasks import TaskRunner
from server.transport import FrameReader, FramingError
from server.workspace_edit import Document

log = logging.getLogger(__name__)

FEATURES = (settings, run_task, edit_selection, fix_diagnostics, explain, cancel, code_actions)
QUIET_SECONDS = 2.0  # a body still incomplete after this long may have had a too-long Content-Length
UNHANDLED = "unhandled error"  # in the log when a message could not be handled (a bug)
APPLY_EDIT_TIMEOUT = 600  # seconds; generous: the user may be reviewing the edit


class AgentServer(LanguageServer):
    def __init__(self):
        super().__init__(
            name="agentls",
            version=__version__,
            protocol_cls=AgentProtocol,
            converter_factory=fast_converter,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.settings = Settings()
        self.session: Session | None = None
        self.models = ModelCache(self)
        self.tasks = TaskRunner(self)
        self.mcp = MCPServers(self)
        self.client_name = ""
        # Agent runs hold a thread each for minutes: their own pool, so that they never
        # starve the reader of stdin or pygls's handlers.
        self.agent_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="agentls-task")
        self._reader_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentls-stdin")

    # -- what features share -------------------------------------------------------

    def open_documents(self) -> dict[str, Document]:
        """The editor's open documents inside the workspace, by workspace-relative path."""
        if self.session is None:
            return {}
        documents = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = self.session.relative_path(uri)
            if path is not None:
                documents[path] = Document(document.source, document.version)
        return documents

    def can_apply_edits(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.apply_edit)

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> tuple[bool, str]:
        """Ask the client to apply `edit`: (applied, why not). A JSON-RPC error (eglot's
        answer to a version mismatch) counts as refused, nothing applied."""
        request = self.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
        try:
            result = await asyncio.wait_for(request, APPLY_EDIT_TIMEOUT)
        except JsonRpcException as e:
            return False, f"the editor refused it ({e})"
        except TimeoutError:
            return False, f"the editor did not answer within {APPLY_EDIT_TIMEOUT} s"
        return result.applied is True, result.failure_reason or ""

    def require_session(self) -> Session:
        if self.session is None:
            raise request_failed("agentls needs a workspace folder: open one first")
        return self.session

    def cancel_request(self, request_id) -> None:
        self.tasks.cancel_request(request_id)

    def window_log_message(self, params: types.LogMessageParams) -> None:
        # Every message to the client's log or screen, ours and pygls's, without secrets.
        super().window_log_message(types.LogMessageParams(type=params.type, message=redact(params.message)))

    def window_show_message(self, params: types.ShowMessageParams) -> None:
        super().window_show_message(types.ShowMessageParams(type=params.type, message=redact(params.message)))

    def log_detail(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=message))

    def show(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    # -- transport -----------------------------------------------------------------

    def start_io(self, stdin=None, stdout=None) -> None:
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        code = 0
        try:
            asyncio.run(self._serve(stdin or sys.stdin.buffer))
        except SystemExit as e:  # the `exit` notification
            code = e.code if isinstance(e.code, int) else 0
        except BrokenPipeError:
            log.error("the client closed the connection")
        finally:
            self.tasks.cancel_all()
            self.mcp.close()
            if self.session is not None:
                self.session.close()
            self.shutdown()
        # Agent threads may still be unwinding (a cancelled model call cannot be
        # aborted): leave now instead of waiting for them. The sandboxed workers die
        # with this process (parent-death signal); the shadow copy is already gone.
        logging.shutdown()
        os._exit(code)

    async def _serve(self, stdin) -> None:
        loop = asyncio.get_running_loop()
        reader = FrameReader()
        fd = stdin.fileno()
        pending = None
        while not self._stop_event.is_set():
            if pending is None:
                pending = loop.run_in_executor(self._reader_pool, os.read, fd, 1 << 16)
            done, _ = await asyncio.wait({pending}, timeout=QUIET_SECONDS)
            if not done:
                self._dispatch(reader.take_partial())
                continue
            data = pending.result()
            pending = None
            if not data:
                log.info("stdin closed: exiting")
                return
            self._dispatch(reader.feed(data))

    def _dispatch(self, messages: list) -> None:
        for message in messages:
            if isinstance(message, FramingError):
                log.warning("framing error: %s", message.reason)
                self.protocol.send_error(None, PARSE_ERROR, f"Parse error: {message.reason}")
            else:
                try:
                    self.protocol.handle_raw(message)
                except Exception:  # a bug in handling one message must not end the session
                    log.exception("%s: the message was dropped", UNHANDLED)


def create_server() -> AgentServer:
    server = AgentServer()
    for feature in FEATURES:
        feature.setup(server)
    return server

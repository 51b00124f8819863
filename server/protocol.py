"""The JSON-RPC layer, hardened: every request gets an answer, bad input costs little.

Over stock pygls 2.1 (see ../shared/DESIGN.md, "Every request gets an answer"):
- a request whose params do not fit lsprotocol's types is answered InvalidParams
  with its id (pygls only logs it);
- structuring uses a converter without cattrs' detailed validation: a 200 KB string
  where a list is expected fails in milliseconds, not a minute (measured: 16 s to
  structure, 51 s to format the error); the error message is capped;
- an invalid envelope (`"id": null`, wrong types, not an object) gets an
  InvalidRequest answer with `"id": null` written out, as JSON-RPC requires;
- a didChange for a document that is not open, or a `$/cancelRequest` or progress
  cancel whose id or token is neither an integer nor a string, is ignored with a
  warning (pygls shows the user an error, or crashes);
- an `apiKey` in settings (initialize, a configuration change or answer) is a secret
  from the moment it arrives, before pygls logs the params;
- `$/cancelRequest` for a command reaches the running agent task (pygls runs
  commands under an internal id, so its own cancellation misses them);
- a command's `workDoneToken` (client-initiated progress) is kept for the task, which
  reports on it instead of creating a token, so a client that starts several tasks
  at once knows which progress is which.
"""

import contextvars
import logging
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from agent.redaction import redact
from server.config import register_setting_secrets

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
REQUEST_FAILED = -32803  # LSP: the request was valid but could not be done (busy, no model, ...)
MAX_ERROR_CHARS = 500
SETTINGS_METHODS = {types.INITIALIZE, types.WORKSPACE_DID_CHANGE_CONFIGURATION}  # and answers to ours


def fast_converter():
    """lsprotocol's converter, failing fast (see the module docstring)."""
    converter = default_converter()
    converter.detailed_validation = False
    return converter


class AgentProtocol(LanguageServerProtocol):
    _work_done_token: contextvars.ContextVar = contextvars.ContextVar("work_done_token", default=None)

    @property
    def work_done_token(self) -> int | str | None:
        """The workDoneToken of the command being handled, if its client sent one."""
        return self._work_done_token.get()

    def handle_raw(self, message: Any) -> None:
        """Check the envelope, structure the params, dispatch; answer what cannot be."""
        method = message.get("method") if isinstance(message, dict) else None
        if isinstance(message, dict) and (method is None or (isinstance(method, str) and method in SETTINGS_METHODS)):
            register_setting_secrets(message)  # before pygls logs the params (initialize, at INFO)
        problem = envelope_problem(message)
        if problem is not None:
            request_id = message.get("id") if isinstance(message, dict) else None
            self.send_error(_valid_id(request_id), INVALID_REQUEST, f"Invalid request: {problem}")
            return
        try:
            structured = self.structure_message(message)
        except Exception as e:  # any structuring failure is the client's bad params
            if "id" in message and "method" in message:
                detail = _short(e)
                self.send_error(message["id"], INVALID_PARAMS, f"Invalid params for {message['method']}: {detail}")
            elif "id" in message:  # a malformed answer to our request: fail it, do not leave it waiting
                future = self._request_futures.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_exception(JsonRpcException(f"the client's answer was malformed: {_short(e)}"))
            else:
                log.warning("dropped a malformed %s: %s", message.get("method", "message"), _short(e))
            return
        self.handle_message(structured)

    def send_error(self, request_id: int | str | None, code: int, message: str) -> None:
        # Written as a plain dict so that "id": null stays in the JSON.
        self._send_data({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args):
        # pygls 2.1 cancels pending requests while iterating the dict that their
        # callbacks change ("dictionary changed size"): stop our tasks, then a snapshot.
        self._server.tasks.cancel_all()
        current = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()
        self._shutdown = True
        return None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        # pygls raises KeyError for a document that is not open, and shows the user
        # "Error in server"; the spec says such a change is the client's mistake.
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            log.warning("ignored didChange for %s: the document is not open", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams):
        # Set in the request's context, as pygls sets msg_id: the command's task reads it.
        self._work_done_token.set(_valid_id(params.work_done_token))
        return (yield from super().lsp_workspace__execute_command(params))

    @lsp_method(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def lsp_work_done_progress_cancel(self, params: types.WorkDoneProgressCancelParams):
        if _valid_id(params.token) is None:  # a token is an integer or a string; pygls hashes it
            log.warning("ignored a progress cancel with an invalid token: %.100r", params.token)
            return
        yield from super().lsp_work_done_progress_cancel(params)

    def _handle_cancel_notification(self, msg_id):
        if _valid_id(msg_id) is None:  # e.g. an object: pygls would crash hashing it
            log.warning("ignored $/cancelRequest with an invalid id: %.100r", msg_id)
            return
        self._server.cancel_request(msg_id)
        super()._handle_cancel_notification(msg_id)


def invalid_params(message: str) -> JsonRpcException:
    """For a handler to raise: the client's arguments are wrong; `message` says how."""
    return JsonRpcException.from_error(types.ResponseError(code=INVALID_PARAMS, message=redact(message)))


def request_failed(message: str) -> JsonRpcException:
    """For a handler to raise: the request was fine but cannot be done now."""
    return JsonRpcException.from_error(types.ResponseError(code=REQUEST_FAILED, message=redact(message)))


def envelope_problem(message: Any) -> str | None:
    if not isinstance(message, dict):
        return "a message must be a JSON object"
    if message.get("jsonrpc") != "2.0":
        return 'jsonrpc must be "2.0"'
    if "method" in message and not isinstance(message["method"], str):
        return "method must be a string"
    if "id" in message and _valid_id(message["id"]) is None:
        return "id must be an integer or a string"
    if "method" not in message and "id" not in message:
        return "neither a request, a notification nor a response"
    params = message.get("params")
    if params is not None and not isinstance(params, dict | list):
        return "params must be an object or an array"
    return None


def _valid_id(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    return value if isinstance(value, int | str) else None


def _short(error: BaseException) -> str:
    text = f"{type(error.__cause__ or error).__name__}: {error.__cause__ or error}"
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + "…"

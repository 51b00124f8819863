"""What the server keeps per workspace (root, shared shadow copy) and the chosen model."""

import asyncio
import logging
import os
import threading
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from agent.model_choice import resolve_model
from agent.models import Model, ModelError
from agent.replay import RecordingModel
from server.config import Settings
from server.protocol import request_failed
from tools.shadow import ShadowCopy

log = logging.getLogger(__name__)


def workspace_root(params: types.InitializeParams) -> Path | None:
    """The first workspace folder, else rootUri, else rootPath."""
    if params.workspace_folders:
        return Path(to_fs_path(params.workspace_folders[0].uri))
    if params.root_uri:
        return Path(to_fs_path(params.root_uri))
    if params.root_path:
        return Path(params.root_path)
    return None


class Session:
    """The workspace folder the server works in."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._shadow: ShadowCopy | None = None
        self._lock = threading.Lock()

    @property
    def shadow(self) -> ShadowCopy:
        with self._lock:
            if self._shadow is None:
                self._shadow = ShadowCopy(self.root)
            return self._shadow

    def warm_up(self) -> None:
        """Make the shadow copy now (in the background), so the first test run does not wait."""
        threading.Thread(target=self._sync_quietly, daemon=True, name="agentls-shadow-warm-up").start()

    def _sync_quietly(self) -> None:
        try:
            self.shadow.sync()
        except OSError as e:  # a later sync retries and reports
            log.warning("could not prepare the shadow copy: %s", e)

    def relative_path(self, uri: str) -> str | None:
        """The workspace-relative path of a file URI inside the root, else None."""
        if not uri.startswith("file:"):
            return None
        try:
            path = Path(to_fs_path(uri)).resolve()
        except (OSError, ValueError, RuntimeError):
            return None
        if path == self.root or not path.is_relative_to(self.root):
            return None
        return path.relative_to(self.root).as_posix()

    def close(self) -> None:
        if self._shadow is not None:
            self._shadow.close()


class ModelCache:
    """The model for the current settings, resolved once (importing litellm takes
    seconds, so it happens on a thread at the first task, never at start-up)."""

    def __init__(self, server):
        self.server = server
        self._key: tuple | None = None
        self._model: Model | None = None
        self._lock = asyncio.Lock()

    async def get(self, settings: Settings) -> Model:
        key = (settings.model, settings.api_base, settings.api_key, settings.timeouts.model)
        async with self._lock:
            if key != self._key:
                loop = asyncio.get_running_loop()
                try:
                    choice = await loop.run_in_executor(self.server.agent_pool, resolve_model, *key[:3])
                except ModelError as e:
                    raise request_failed(str(e)) from None
                model = choice.model
                if hasattr(model, "timeout"):  # the HTTP back ends: agentls.timeouts.model per call
                    model.timeout = settings.timeouts.model
                record_to = os.environ.get("AGENTLS_RECORD")  # set by `agentls run --record`, not by settings
                if record_to:
                    model = RecordingModel(model, record_to)
                self._key, self._model = key, model
                self.server.window_log_message(
                    types.LogMessageParams(type=types.MessageType.Info, message=f"agentls model: {choice.reason}")
                )
            return self._model

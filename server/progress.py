"""Progress of a long task: `$/progress` (begin / report per step / end) on the token
the client sent with its command, else on one we create when the client supports
work-done progress, else `window/logMessage` lines."""

import logging
import uuid

from lsprotocol import types

log = logging.getLogger(__name__)


class TaskProgress:
    def __init__(self, server, title: str, token: int | str | None = None):
        self.server = server
        self.title = title
        self.token = token  # the client's workDoneToken, if it sent one

    async def begin(self, message: str) -> None:
        window = self.server.client_capabilities.window
        if self.token is None and window is not None and window.work_done_progress:
            token = f"agentls-{uuid.uuid4().hex[:12]}"
            try:
                await self.server.work_done_progress.create_async(token)
                self.token = token
            except Exception as e:  # a client that refuses the token: fall back to log lines
                log.warning("progress token refused (%s); reporting in the log", e)
        if self.token is not None:
            begin = types.WorkDoneProgressBegin(title=self.title, message=message, cancellable=True, percentage=0)
            self.server.work_done_progress.begin(self.token, begin)
        else:
            self._log(message)

    def report(self, message: str, percentage: int | None = None) -> None:
        if self.token is not None:
            report = types.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=True)
            self.server.work_done_progress.report(self.token, report)
        else:
            self._log(message)

    def end(self, message: str) -> None:
        if self.token is not None:
            self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        else:
            self._log(message)

    def _log(self, message: str) -> None:
        self.server.window_log_message(
            types.LogMessageParams(type=types.MessageType.Info, message=f"{self.title}: {message}")
        )

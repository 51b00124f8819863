"""Stopping tasks: agentls.cancelAll, and the Cancel button of a progress notification
(window/workDoneProgress/cancel). `$/cancelRequest` is routed in server/protocol.py."""

from lsprotocol import types

from server import commands


def setup(server) -> None:
    @server.command(commands.CANCEL_ALL)
    def cancel_all(ls, *args) -> dict:
        return {"cancelled": ls.tasks.cancel_all()}

    @server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def progress_cancelled(ls, params: types.WorkDoneProgressCancelParams) -> None:
        ls.tasks.cancel_progress(params.token)

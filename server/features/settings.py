"""Settings and the workspace: `initialize`, `initialized`, `didChangeConfiguration`.

Validated once where they arrive (server/config.py). Problems are shown once with
window/showMessage and each logged with window/logMessage; valid fields are kept.
An empty update (eglot sends `{"settings": {}}` right after connecting) does not
wipe the settings from initializationOptions.
"""

import logging

from lsprotocol import types

from server.config import parse_settings
from server.session import Session, workspace_root

log = logging.getLogger(__name__)


def setup(server) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams) -> None:
        ls.client_name = params.client_info.name if params.client_info else ""
        root = workspace_root(params)
        if root is not None and root.is_dir():
            ls.session = Session(root)
        apply(ls, params.initialization_options, "initializationOptions")

    @server.feature(types.INITIALIZED)
    async def initialized(ls, params: types.InitializedParams) -> None:
        await pull(ls)
        if ls.settings.trust_workspace and ls.session is not None:
            ls.session.warm_up()
        ls.mcp.warm_up(ls.settings)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed(ls, params: types.DidChangeConfigurationParams) -> None:
        raw = params.settings
        section = raw.get("agentls", raw) if isinstance(raw, dict) else raw
        if not section:
            await pull(ls)  # an empty push means "ask me"; never "reset"
        else:
            apply(ls, raw, "didChangeConfiguration")
        ls.mcp.warm_up(ls.settings)


async def pull(server) -> None:
    """Ask the client for the "agentls" section, if it can answer."""
    workspace = server.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return
    try:
        values = await server.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="agentls")])
        )
    except Exception as e:  # a client that fails the request keeps the settings we have
        log.warning("workspace/configuration failed: %s", e)
        return
    if values and isinstance(values[0], dict) and values[0]:
        apply(server, values[0], "workspace/configuration")


def apply(server, raw, source: str) -> None:
    settings, problems = parse_settings(raw, server.settings)
    server.settings = settings
    if not problems:
        return
    for problem in problems:
        server.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=problem))
    more = f" (and {len(problems) - 1} more in the log)" if len(problems) > 1 else ""
    server.window_show_message(
        types.ShowMessageParams(
            type=types.MessageType.Warning, message=f"agentls settings ({source}): {problems[0]}{more}"
        )
    )

"""agentls settings: one typed model, validated once where settings arrive.

They come from `initializationOptions` and `workspace/didChangeConfiguration`
(section "agentls"), in this shape (camelCase, as in the VS Code extension's
package.json):

    {"agentls": {"model": "openai/gpt-4o-mini", "apiBase": null, "maxSteps": 20,
                 "confirmEdits": false, "testCommand": null, "trustWorkspace": false,
                 "timeouts": {"task": 600, "tests": 120, "code": 30, "model": 120},
                 "mcpServers": ["npx -y @modelcontextprotocol/server-filesystem /tmp",
                                "http://localhost:8000/mcp",
                                {"command": "python", "args": ["server.py"], "env": {"KEY": "..."}}]}}

`parse_settings` keeps every valid field, puts the default in place of each invalid
one, and reports each problem with the field's path, its value and the default
used; unknown keys are reported as likely typos. Code reads `ls.settings.max_steps`.
"""

import difflib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.redaction import is_credential_name, redact, register_secret


class _Section(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class Timeouts(_Section):
    task: float = Field(600, gt=0, description="Seconds a whole task may take.")
    tests: float = Field(120, gt=0, description="Seconds one test run may take.")
    code: float = Field(30, gt=0, description="Seconds one step's code may run.")
    model: float = Field(120, gt=0, description="Seconds one model call may take.")


class MCPServer(_Section):
    """One entry of agentls.mcpServers, in its long form: a command to start (stdio)
    or the URL of a streamable HTTP server. The short form is a string: a command line or a URL."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] | None = Field(None, repr=False)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] | None = Field(None, repr=False)

    @model_validator(mode="after")
    def _one_kind(self) -> "MCPServer":
        if (self.command is None) == (self.url is None):
            raise ValueError("give either a command (stdio) or a url (streamable HTTP), not both")
        return self

    def parameters(self) -> dict:
        """What ToolCollection.from_mcp takes."""
        if self.url is not None:
            return {"url": self.url, "headers": self.headers}
        return {"command": self.command, "args": list(self.args), "env": self.env, "cwd": self.cwd}


class Settings(_Section):
    model: str = "auto"
    api_base: str | None = Field(None, alias="apiBase")
    api_key: str | None = Field(None, alias="apiKey", repr=False)
    max_steps: int = Field(20, alias="maxSteps", ge=1, le=200)
    confirm_edits: bool = Field(False, alias="confirmEdits")
    test_command: list[str] | None = Field(None, alias="testCommand")
    trust_workspace: bool = Field(False, alias="trustWorkspace")
    python: str | None = None
    background_commands: Literal["auto", "always", "never"] = Field("auto", alias="backgroundCommands")
    verify: Literal["tests", "lint", "none"] = "tests"
    timeouts: Timeouts = Timeouts()
    mcp_servers: tuple[str | MCPServer, ...] = Field((), alias="mcpServers")

    @field_validator("mcp_servers", mode="before")
    @classmethod
    def _servers(cls, value: Any) -> Any:
        """Each entry checked here, so that a problem is reported on agentls.mcpServers with
        the entry's number (rather than as pydantic's union branches)."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list of MCP servers: command lines, URLs, or objects with a command or a url")
        servers = []
        for number, entry in enumerate(value, 1):
            if isinstance(entry, str) and entry.strip():
                servers.append(entry.strip())
            elif isinstance(entry, dict):
                try:
                    servers.append(MCPServer.model_validate(entry))
                except ValidationError as e:
                    first = e.errors()[0]
                    where = ".".join(str(part) for part in first["loc"])
                    message = first["msg"].removeprefix("Value error, ")
                    raise ValueError(f"server {number}: {where + ': ' if where else ''}{message}") from None
            else:
                raise ValueError(f"server {number} ({entry!r:.60}) is not a command line, a URL or an object")
        return tuple(servers)

    @field_validator("test_command", mode="before")
    @classmethod
    def _split_command(cls, value: Any) -> Any:
        if isinstance(value, str):
            import shlex

            return shlex.split(value) or None
        return value

    @field_validator("model")
    @classmethod
    def _model_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a model, e.g. openai/gpt-4o-mini, or be 'auto'")
        return value.strip()


def parse_settings(raw: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a client's dict (with or without the "agentls" section key), on
    top of `base`; and the problems found, one line each, for the user."""
    base = base or Settings()
    problems: list[str] = []
    if raw is None:
        return base, problems
    if not isinstance(raw, dict):
        return base, [f"agentls settings must be an object, not {type(raw).__name__}; using the defaults"]
    register_setting_secrets(raw)  # before any problem quotes a value
    section = raw.get("agentls", raw) if isinstance(raw.get("agentls", raw), dict) else {}
    merged = {**base.model_dump(by_alias=True, exclude_unset=False), **section}
    if isinstance(section.get("timeouts"), dict):
        merged["timeouts"] = {**base.timeouts.model_dump(), **section["timeouts"]}
    for _ in range(50):  # drop one bad field at a time; each error names its field
        try:
            settings = Settings.model_validate(merged)
            break
        except ValidationError as e:
            first = e.errors()[0]
            path = _field_path(merged, [str(part) for part in first["loc"]])
            default = _default_at(path, base)
            shown = "(hidden)" if {"apiKey", "mcpServers"} & set(path) else _show(first.get("input"))  # secrets
            problems.append(f"agentls.{'.'.join(path)} = {shown} is invalid ({first['msg']}); using {_show(default)}")
            _set_at(merged, path, default)
    else:
        return base, problems + ["too many invalid agentls settings; using the previous ones"]
    register_secret(settings.api_key)
    for server in settings.mcp_servers:  # an MCP server's keys: in its headers, or its environment
        if isinstance(server, MCPServer):
            for value in (server.headers or {}).values():
                register_secret(value)
            for name, value in (server.env or {}).items():
                if is_credential_name(name):
                    register_secret(value)
    problems = [redact(problem) for problem in problems + _unknown_keys(section)]  # a key pasted as a name
    return settings, problems  # invalid values first: they matter more than typos


def _unknown_keys(section: dict) -> list[str]:
    known = {field.alias or name for name, field in Settings.model_fields.items()}
    problems = []
    for key in section:
        if key not in known and key not in Settings.model_fields:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean agentls.{close[0]}?" if close else ""
            problems.append(f"agentls.{key} is not a setting (ignored){hint}")
    return problems


def _field_path(data: dict, path: list[str]) -> list[str]:
    """The settings field an error's path is in: an error inside a list (testCommand.0)
    or inside a value of the wrong type resets the whole field."""
    for depth, part in enumerate(path[:-1]):
        data = data.get(part) if isinstance(data, dict) else None
        if not isinstance(data, dict):
            return path[: depth + 1]
    return path


def _default_at(path: list[str], base: Settings) -> Any:
    value: Any = base.model_dump(by_alias=True)
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _set_at(data: dict, path: list[str], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def register_setting_secrets(data: Any) -> None:
    """Treat every `apiKey` value in `data` (settings, or a message carrying them) as a
    secret, wherever it is nested; and an MCP server's header values and credential-named
    environment values (agentls.mcpServers)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "apiKey" and isinstance(value, str):
                register_secret(value)
            elif key == "headers" and isinstance(value, dict):
                for header in value.values():
                    register_secret(header if isinstance(header, str) else None)
            elif key == "env" and isinstance(value, dict):
                for name, variable in value.items():
                    if isinstance(variable, str) and is_credential_name(str(name)):
                        register_secret(variable)
            else:
                register_setting_secrets(value)
    elif isinstance(data, list):
        for item in data:
            register_setting_secrets(item)


def _show(value: Any) -> str:
    text = redact(repr(value))  # before cutting: a cut key no longer matches
    return text if len(text) <= 80 else text[:77] + "..."

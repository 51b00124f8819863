"""A small editor around pytest-lsp's client, for end-to-end tests of `agentls serve`.

It starts the real server over stdio with a client capability profile (VS Code,
Neovim, Emacs), opens documents, and answers `workspace/applyEdit` as an editor
does: it checks document versions, applies the edits (decoding positions in the
negotiated encoding, utf-8/16/32, independently of the server's code), bumps
versions and sends didChange back. Every edit it was asked to apply is recorded.
"""

import asyncio
import re
import sys
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

AGENTLS = str(Path(sys.executable).parent / "agentls")


class Editor:
    def __init__(self, client: LanguageClient, root: Path, accept_edits: bool = True):
        self.client = client
        self.root = root
        self.accept_edits = accept_edits
        self.documents: dict[str, tuple[str, int]] = {}  # uri -> (text, version)
        self.edit_requests: list[types.ApplyWorkspaceEditParams] = []
        self.encoding = "utf-16"

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            return self._apply_edit(params)

    @classmethod
    async def start(
        cls,
        root: Path,
        profile: str = "visual-studio-code",
        settings: dict | None = None,
        client_name: str = "agentls-tests",
        accept_edits: bool = True,
        env: dict | None = None,
        capabilities: types.ClientCapabilities | None = None,
    ) -> "Editor":
        config = ClientServerConfig(server_command=[AGENTLS, "serve"], server_env=env)
        client = await config.start()
        editor = cls(client, root, accept_edits)
        result = await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities or client_capabilities(profile),
                root_uri=from_fs_path(str(root)),
                workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name="ws")],
                initialization_options={"agentls": settings or {}},
                client_info=types.ClientInfo(name=client_name),
            )
        )
        editor.initialize_result = result
        encoding = result.capabilities.position_encoding  # an enum member or a plain string
        editor.encoding = str(getattr(encoding, "value", encoding) or "utf-16")
        return editor

    async def stop(self) -> None:
        await self.client.shutdown_session()
        await self.client.stop()

    # -- documents ---------------------------------------------------------------

    def uri(self, path: str) -> str:
        return from_fs_path(str(self.root / path))

    def open(self, path: str, text: str | None = None, version: int = 1) -> str:
        uri = self.uri(path)
        text = (self.root / path).read_text() if text is None else text
        self.documents[uri] = (text, version)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
            )
        )
        return uri

    def type_text(self, path: str, new_text: str, jump: int = 1) -> None:
        """The user edits the document (whole-text change), its version going up by `jump`."""
        uri = self.uri(path)
        _, version = self.documents[uri]
        self.documents[uri] = (new_text, version + jump)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version + jump),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
            )
        )

    def text(self, path: str) -> str:
        uri = self.uri(path)
        return self.documents[uri][0] if uri in self.documents else (self.root / path).read_text()

    async def command(self, command: str, arguments: dict, timeout: float = 120):
        request = self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=[arguments])
        )
        return await asyncio.wait_for(request, timeout)

    # -- applying edits as an editor does --------------------------------------------

    def _apply_edit(self, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        self.edit_requests.append(params)
        if not self.accept_edits:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="the user said no")
        edit = params.edit
        planned: dict[str, str] = {}
        if edit.document_changes:
            for change in edit.document_changes:
                if isinstance(change, types.TextDocumentEdit):
                    uri, version = change.text_document.uri, change.text_document.version
                    text, current = self._current(uri)
                    if version is not None and version != current:
                        return types.ApplyWorkspaceEditResult(applied=False, failure_reason="version mismatch")
                    planned[uri] = self._edited(planned.get(uri, text), change.edits)
                elif isinstance(change, types.CreateFile):
                    planned[change.uri] = ""
        for uri, edits in (edit.changes or {}).items():
            planned[uri] = self._edited(self._current(uri)[0], edits)
        for uri, text in planned.items():
            if uri in self.documents:
                self.type_text(str(Path(to_fs_path(uri)).relative_to(self.root)), text)
            else:
                Path(to_fs_path(uri)).write_text(text)
        return types.ApplyWorkspaceEditResult(applied=True)

    def _current(self, uri: str) -> tuple[str, int | None]:
        if uri in self.documents:
            return self.documents[uri]
        path = Path(to_fs_path(uri))
        return (path.read_text() if path.exists() else ""), None

    def _edited(self, text: str, edits) -> str:
        lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)  # LSP's line breaks only
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))

        def offset(position: types.Position) -> int:
            if position.line >= len(lines):
                return len(text)
            return offsets[position.line] + self._code_points(lines[position.line], position.character)

        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
        return text

    def _code_points(self, line: str, units: int) -> int:
        """Column in code points from a column in the negotiated encoding's units."""
        if self.encoding == "utf-32":
            return units
        width = {"utf-16": lambda c: 2 if ord(c) > 0xFFFF else 1, "utf-8": lambda c: len(c.encode())}[self.encoding]
        count = 0
        for index, char in enumerate(line):
            if count >= units:
                return index
            count += width(char)
        return len(line)

"""From the agent's file changes to an LSP WorkspaceEdit the client can apply safely.

- Edits are computed from the texts (tools.textdiff), then converted to the
  client's position encoding (utf-16 for VS Code and Neovim, utf-32 for eglot)
  with pygls's negotiated codec, never with len(str).
- Each open document is addressed by the version the editor has now. If the user
  edited it while the agent worked, the agent's change is re-based onto the new
  text when the two touch different lines, and refused when they overlap.
- `documentChanges` with versioned identifiers when the client advertises it, else
  the `changes` map (Neovim 0.7), guarded by the version check above. File
  create/delete and change annotations only when the client advertises them.
"""

import difflib
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace import PositionCodec

from tools.edits import split_lines
from tools.textdiff import TextEdit, text_edits
from tools.workspace import FileChange

ANNOTATION_ID = "agentls"


class EditConflict(Exception):
    """The user changed the same lines as the agent while it worked."""


@dataclass(frozen=True)
class Document:
    """What the editor holds now for a path (None: not open, the disk counts)."""

    text: str
    version: int | None


@dataclass(frozen=True)
class ClientEdits:
    """Which parts of WorkspaceEdit the client understands."""

    document_changes: bool = False
    resource_operations: frozenset[str] = frozenset()
    change_annotations: bool = False

    @classmethod
    def from_capabilities(cls, capabilities: types.ClientCapabilities) -> "ClientEdits":
        edit = capabilities.workspace.workspace_edit if capabilities.workspace else None
        if edit is None:
            return cls()
        operations = frozenset(str(getattr(op, "value", op)) for op in edit.resource_operations or ())
        return cls(
            document_changes=bool(edit.document_changes),
            resource_operations=operations,
            change_annotations=edit.change_annotation_support is not None,
        )


@dataclass
class BuiltEdit:
    edit: types.WorkspaceEdit | None
    skipped: list[str]  # changes the client cannot take (e.g. creating files), said in the summary


def rebase(change: FileChange, current: str) -> str:
    """The agent's `after`, re-based from `before` onto the editor's `current` text."""
    if current == change.before or change.before is None:
        return change.after or ""
    base = split_lines(change.before)
    theirs = _changed_ranges(base, split_lines(current))
    ours = _changed_ranges(base, split_lines(change.after or ""))
    for a_start, a_end, _ in theirs:
        for b_start, b_end, _ in ours:
            if a_start < b_end and b_start < a_end or (a_start == a_end == b_start == b_end):
                raise EditConflict(f"{change.path} was edited on the same lines while the agent worked")
    merged: list[str] = []
    position = 0
    for start, end, replacement in sorted(theirs + ours, key=lambda r: (r[0], r[1])):
        merged += base[position:start] + replacement
        position = end
    return "".join(merged + base[position:])


def _changed_ranges(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def build_edit(
    changes: list[FileChange],
    root: Path,
    documents: dict[str, Document],
    codec: PositionCodec,
    client: ClientEdits,
    label: str,
    description: str,
    needs_confirmation: bool,
) -> BuiltEdit:
    """`documents` maps workspace-relative paths to what the editor holds now; paths
    not in it are read from disk. Raises EditConflict when a re-base is impossible."""
    document_changes: list = []
    plain: dict[str, list[types.TextEdit]] = {}
    skipped: list[str] = []
    annotate = client.change_annotations and client.document_changes
    for change in changes:
        uri = from_fs_path(str(root / change.path))
        held = documents.get(change.path)
        current = held.text if held else _disk_text(root / change.path)
        if change.kind == "create":
            if current is not None:
                raise EditConflict(f"{change.path} was created by someone else while the agent worked")
            if "create" not in client.resource_operations:
                skipped.append(f"create {change.path} (this editor cannot create files through LSP)")
                continue
            document_changes.append(types.CreateFile(uri=uri, annotation_id=ANNOTATION_ID if annotate else None))
            document_changes.append(_document_edit(uri, None, "", change.after or "", codec, annotate))
            continue
        if current is None:
            raise EditConflict(f"{change.path} was deleted while the agent worked")
        if change.kind == "delete":
            if current != change.before:
                raise EditConflict(f"{change.path} was changed while the agent worked; not deleting it")
            if "delete" not in client.resource_operations:
                skipped.append(f"delete {change.path} (this editor cannot delete files through LSP)")
                continue
            document_changes.append(types.DeleteFile(uri=uri, annotation_id=ANNOTATION_ID if annotate else None))
            continue
        after = rebase(change, current)
        if after == current:
            continue
        version = held.version if held else None
        if client.document_changes:
            document_changes.append(_document_edit(uri, version, current, after, codec, annotate))
        else:
            plain[uri] = [_lsp_edit(current, e, codec, False) for e in text_edits(current, after)]
    if not document_changes and not plain:
        return BuiltEdit(None, skipped)
    annotations = None
    if annotate:
        annotations = {
            ANNOTATION_ID: types.ChangeAnnotation(
                label=label, needs_confirmation=needs_confirmation, description=description
            )
        }
    if client.document_changes:
        return BuiltEdit(
            types.WorkspaceEdit(document_changes=document_changes, change_annotations=annotations), skipped
        )
    return BuiltEdit(types.WorkspaceEdit(changes=plain), skipped)


def _document_edit(uri: str, version: int | None, current: str, after: str, codec, annotate: bool):
    edits = [_lsp_edit(current, e, codec, annotate) for e in text_edits(current, after)]
    identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return types.TextDocumentEdit(text_document=identifier, edits=edits)


def _lsp_edit(text: str, edit: TextEdit, codec: PositionCodec, annotate: bool):
    lines = split_lines(text)
    lsp_range = types.Range(start=_position(lines, edit.start, codec), end=_position(lines, edit.end, codec))
    if annotate:
        return types.AnnotatedTextEdit(range=lsp_range, new_text=edit.new_text, annotation_id=ANNOTATION_ID)
    return types.TextEdit(range=lsp_range, new_text=edit.new_text)


def _position(lines: list[str], position: tuple[int, int], codec: PositionCodec) -> types.Position:
    line, character = position
    if character == 0 or line >= len(lines):
        return types.Position(line=line, character=0)
    text = lines[line].rstrip("\r\n")
    return types.Position(line=line, character=codec.client_num_units(text[:character]))


def _disk_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise EditConflict(f"{path.name} cannot be read any more ({e})") from None

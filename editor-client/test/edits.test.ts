import assert from "node:assert/strict";
import { test } from "node:test";
import type { WorkspaceEdit } from "vscode-languageserver-protocol";
import { applyWorkspaceEdit, type EditHost, type Preview } from "../src/applyEdit";
import { applyTextEdits, confirmed, fileEdits, staleDocuments } from "../src/edits";

const edit = (line: number, from: number, to: number, newText: string) => ({
  range: { start: { line, character: from }, end: { line, character: to } },
  newText,
});

test("text edits in UTF-16 units, after an emoji, in CRLF text", () => {
  const text = 'a = 1\r\nb = "🙂" + x.upper()\r\n';
  const start = 'b = "🙂" + '.length; // 🙂 counts 2 units, as in LSP's utf-16
  assert.equal(applyTextEdits(text, [edit(1, start, start + 9, "x.title()")]), 'a = 1\r\nb = "🙂" + x.title()\r\n');
});

test("several edits apply against the original positions", () => {
  assert.equal(applyTextEdits("one\ntwo\nthree", [edit(0, 0, 3, "1"), edit(2, 0, 5, "3")]), "1\ntwo\n3");
  assert.equal(applyTextEdits("x", [edit(5, 0, 0, "\ny")]), "x\ny"); // past the end: appended
});

test("documentChanges and the changes map; stale versions are found", () => {
  const workspaceEdit: WorkspaceEdit = {
    documentChanges: [{ textDocument: { uri: "file:///a.py", version: 3 }, edits: [edit(0, 0, 1, "x")] }],
    changes: { "file:///b.py": [edit(0, 0, 0, "y")] },
  };
  const files = fileEdits(workspaceEdit);
  assert.deepEqual(files.map((f) => [f.uri, f.version]), [["file:///a.py", 3], ["file:///b.py", null]]);
  assert.deepEqual(staleDocuments(files, (uri) => (uri === "file:///a.py" ? 4 : undefined)), ["file:///a.py"]);
  assert.deepEqual(staleDocuments(files, () => 3), []);
});

function host(answer: boolean, version = 1) {
  const seen: { previews: Preview[]; applied: WorkspaceEdit[] } = { previews: [], applied: [] };
  const editHost: EditHost = {
    version: () => version,
    text: async () => "def f():\n    return 1\n",
    review: async (previews) => (seen.previews.push(...previews), answer),
    apply: async (e) => (seen.applied.push(e), true),
  };
  return { editHost, seen };
}

const confirmable: WorkspaceEdit = {
  documentChanges: [{ textDocument: { uri: "file:///f.py", version: 1 }, edits: [{ ...edit(1, 11, 12, "2"), annotationId: "agentls" }] }],
  changeAnnotations: { agentls: { label: "agentls: f", needsConfirmation: true } },
};

test("an edit that needs confirmation is shown as a diff, and applied once accepted", async () => {
  const { editHost, seen } = host(true);
  const result = await applyWorkspaceEdit({ edit: confirmable, label: "agentls: f" }, editHost);
  assert.deepEqual(result, { applied: true });
  assert.deepEqual(seen.previews, [{ uri: "file:///f.py", before: "def f():\n    return 1\n", after: "def f():\n    return 2\n" }]);
  assert.deepEqual(seen.applied, [confirmed(confirmable)]);
  assert.equal(seen.applied[0].changeAnnotations!.agentls.needsConfirmation, false); // VS Code does not ask again
});

test("a discarded edit is not applied, and the server hears why", async () => {
  const { editHost, seen } = host(false);
  assert.deepEqual(await applyWorkspaceEdit({ edit: confirmable }, editHost), { applied: false, failureReason: "the user discarded the edit" });
  assert.deepEqual(seen.applied, []);
});

test("an edit for an older version of a document is refused, never applied blindly", async () => {
  const { editHost, seen } = host(true, 2);
  const result = await applyWorkspaceEdit({ edit: confirmable }, editHost);
  assert.equal(result.applied, false);
  assert.match(result.failureReason!, /changed since agentls read it: file:\/\/\/f.py/);
  assert.deepEqual(seen.previews, []);
});

test("without confirmation the edit is applied at once", async () => {
  const { editHost, seen } = host(false);
  const plain = confirmed(confirmable);
  assert.deepEqual(await applyWorkspaceEdit({ edit: plain }, editHost), { applied: true });
  assert.deepEqual(seen.previews, []);
});

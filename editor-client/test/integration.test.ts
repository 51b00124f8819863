// The extension's client code against a real `agentls serve` (replayed model) over stdio,
// with vscode-jsonrpc in place of VS Code: the same argument building, progress routing,
// cancellation and applyEdit handling as in the extension, on in-memory documents.
// The server is the repository's .venv/bin/agentls (make venv), or $AGENTLS_SERVER.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { applyWorkspaceEdit, type EditHost, type Preview } from "../src/applyEdit";
import { editSelectionArgs, runTaskArgs, SERVER } from "../src/args";
import { applyTextEdits, fileEdits } from "../src/edits";
import { type ProgressSink, ProgressRouter } from "../src/progress";
import { CANCELLED, runServerCommand } from "../src/run";
import { configurationAnswer, serverSettings } from "../src/settings";

const REPO = path.resolve(__dirname, "..", "..", "..");
const AGENTLS = process.env.AGENTLS_SERVER ?? path.join(REPO, ".venv", "bin", "agentls");
const DATA = path.join(REPO, "tests", "data");
const GREET = 'def greet(name):\n    return "héllo 🙂 " + name.upper()'; // as tests/e2e/conftest.py
const INSTRUCTION = "Use title() instead of upper()."; // as recorded in e2e_edit_selection.jsonl

const temporary: string[] = [];
const servers: ChildProcess[] = [];

before(() => {
  if (!fs.existsSync(AGENTLS)) {
    assert.fail(`no agentls server at ${AGENTLS}: run "make venv" in ${REPO} first, or set AGENTLS_SERVER`);
  }
});

afterEach(() => {
  servers.splice(0).forEach((server) => server.kill());
  temporary.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

interface Session {
  connection: ProtocolConnection;
  router: ProgressRouter;
  root: string;
  uri(file: string): string;
  open(file: string, text?: string): string;
  text(uri: string): string;
  reviews: Preview[][];
  appliedEdits: number;
}

/** An editor session against a real server: `review` answers the diff preview. */
async function session(root: string, recording: string, more: Record<string, unknown> = {}, review = true): Promise<Session> {
  const server = spawn(AGENTLS, ["serve"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
  servers.push(server);
  server.stderr!.resume();
  const connection = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  const documents = new Map<string, { text: string; version: number }>();
  const values: Record<string, unknown> = { model: `replay:${path.join(DATA, recording)}`, ...more };
  const settings = serverSettings((key) => values[key], true);
  const router = new ProgressRouter(() => ({ begin() {}, report() {}, end() {} }));
  const s: Session = {
    connection,
    router,
    root,
    reviews: [],
    appliedEdits: 0,
    uri: (file) => pathToFileURL(path.join(root, file)).href,
    open(file, text) {
      const uri = s.uri(file);
      const content = text ?? fs.readFileSync(path.join(root, file), "utf8");
      documents.set(uri, { text: content, version: 1 });
      void connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "python", version: 1, text: content } });
      return uri;
    },
    text: (uri) => documents.get(uri)!.text,
  };
  const host: EditHost = {
    version: (uri) => documents.get(uri)?.version,
    text: async (uri) => documents.get(uri)?.text ?? fs.readFileSync(new URL(uri), "utf8"),
    review: async (previews) => (s.reviews.push(previews), review),
    apply: async (edit) => {
      for (const file of fileEdits(edit)) {
        const document = documents.get(file.uri) ?? { text: await host.text(file.uri), version: 0 };
        const updated = { text: applyTextEdits(document.text, file.edits), version: document.version + 1 };
        documents.set(file.uri, updated);
        void connection.sendNotification("textDocument/didChange", {
          textDocument: { uri: file.uri, version: updated.version },
          contentChanges: [{ text: updated.text }],
        });
      }
      s.appliedEdits++;
      return true;
    },
  };
  router.attach(connection);
  connection.onRequest("workspace/applyEdit", (params) => applyWorkspaceEdit(params, host));
  connection.onRequest("workspace/configuration", (params) => configurationAnswer(params.items, settings));
  connection.listen();
  await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }],
    clientInfo: { name: "Visual Studio Code" },
    initializationOptions: { agentls: settings },
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      window: { workDoneProgress: true },
      workspace: {
        applyEdit: true,
        configuration: true,
        didChangeConfiguration: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"], changeAnnotationSupport: { groupsOnLabel: true } },
      },
      textDocument: { synchronization: { dynamicRegistration: true } },
    },
  });
  await connection.sendNotification("initialized", {});
  return s;
}

function workspace(files: Record<string, string> | string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentls-vscode-"));
  temporary.push(root);
  if (typeof files === "string") {
    fs.cpSync(files, root, { recursive: true });
  } else {
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(root, name), text);
    }
  }
  return root;
}

function recorder(): ProgressSink & { log: string[]; cancel?: () => void } {
  const sink: ProgressSink & { log: string[]; cancel?: () => void } = {
    log: [],
    begin(title, message, cancel) {
      sink.cancel = cancel;
      sink.log.push(`begin ${title}: ${message}`);
    },
    report: (message) => sink.log.push(message),
    end: (message) => sink.log.push(`end ${message}`),
  };
  return sink;
}

async function until(condition: () => boolean, seconds = 30): Promise<void> {
  for (const deadline = Date.now() + seconds * 1000; !condition(); ) {
    assert.ok(Date.now() < deadline, `still waiting after ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The selection of "name.upper()" in greet.py, in VS Code's UTF-16 units. */
function upperCall() {
  const line = GREET.split("\n")[1];
  const start = line.indexOf("name.upper()"); // JavaScript counts UTF-16 units, as VS Code does
  return { start: { line: 1, character: start }, end: { line: 1, character: line.length } };
}

test("Edit Selection: the server's applyEdit changes the document, with progress on the way", async () => {
  const editor = await session(workspace({ "greet.py": GREET }), "e2e_edit_selection.jsonl");
  const uri = editor.open("greet.py", GREET);
  const sink = recorder();
  const outcome = await runServerCommand(editor.connection, editor.router, SERVER.editSelection, editSelectionArgs(uri, upperCall(), INSTRUCTION), sink);
  assert.equal(outcome.applied, true, outcome.summary);
  assert.equal(editor.text(uri), GREET.replace("name.upper()", "name.title()"));
  assert.equal(editor.appliedEdits, 1);
  assert.match(sink.log[0], /^begin Use title\(\) instead of upper\(\)\. \(greet\.py:2\): starting$/);
  assert.ok(sink.log.some((line) => line.startsWith("step 1:")), sink.log.join("\n"));
  assert.match(sink.log[sink.log.length - 1], /^end /);
  assert.equal(editor.router.working(), null); // the status bar is idle again
});

test("confirmEdits: the edit is previewed as a diff, and nothing is applied when discarded", async () => {
  const editor = await session(workspace({ "greet.py": GREET }), "e2e_edit_selection.jsonl", { confirmEdits: true }, false);
  const uri = editor.open("greet.py", GREET);
  const outcome = await runServerCommand(editor.connection, editor.router, SERVER.editSelection, editSelectionArgs(uri, upperCall(), INSTRUCTION), recorder());
  assert.deepEqual(editor.reviews, [[{ uri, before: GREET, after: GREET.replace("name.upper()", "name.title()") }]]);
  assert.equal(outcome.applied, false);
  assert.match(outcome.summary, /the user discarded the edit/);
  assert.equal(editor.text(uri), GREET);
});

test("the chat's form: the edit comes back unapplied, and applies when the user reviews it", async () => {
  const editor = await session(workspace({ "greet.py": GREET }), "e2e_edit_selection.jsonl");
  const uri = editor.open("greet.py", GREET);
  const outcome = await runServerCommand(editor.connection, editor.router, SERVER.editSelection, editSelectionArgs(uri, upperCall(), INSTRUCTION, false), recorder());
  assert.equal(outcome.applied, false);
  assert.equal(editor.text(uri), GREET);
  assert.ok(outcome.edit);
  const reviewed = await applyWorkspaceEdit({ edit: outcome.edit, label: "agentls" }, {
    version: () => 1,
    text: async () => editor.text(uri),
    review: async (previews) => previews[0].after === GREET.replace("name.upper()", "name.title()"),
    apply: async () => true,
  }, true);
  assert.deepEqual(reviewed, { applied: true });
});

test("the progress notification's Cancel stops the task; nothing is applied", async () => {
  const root = workspace(path.join(REPO, "examples", "inventory"));
  const editor = await session(root, "e2e_slow.jsonl");
  const uri = editor.open("inventory/stock.py"); // the request recorded in e2e_slow.jsonl
  const sink = recorder();
  const running = runServerCommand(editor.connection, editor.router, SERVER.runTask, runTaskArgs("Take your time.", uri), sink);
  await until(() => sink.cancel !== undefined);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // inside its minute-long step
  const started = Date.now();
  sink.cancel!();
  const outcome = await running;
  assert.ok(Date.now() - started < 5000, "cancelled within seconds");
  assert.equal(outcome.applied, false);
  assert.match(outcome.summary, /Cancelled/);
  assert.equal(editor.appliedEdits, 0);
});

test("a cancelled request ($/cancelRequest) answers as cancelled", async () => {
  const root = workspace(path.join(REPO, "examples", "inventory"));
  const editor = await session(root, "e2e_slow.jsonl");
  const uri = editor.open("inventory/stock.py");
  const sink = recorder();
  const { CancellationTokenSource } = await import("vscode-languageserver-protocol/node");
  const source = new CancellationTokenSource();
  const running = runServerCommand(editor.connection, editor.router, SERVER.runTask, runTaskArgs("Take your time.", uri), sink, source.token);
  await until(() => sink.cancel !== undefined);
  source.cancel();
  assert.deepEqual(await running, CANCELLED);
});

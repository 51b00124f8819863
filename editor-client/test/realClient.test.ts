// The extension with the real vscode-languageclient against a real `agentls serve`
// (replayed model), VS Code itself replaced by test/stubs/vscode-loose.js: activation
// starts the server from the configured interpreter, "agentls: Edit Selection..." sends
// the command, the server's workspace/applyEdit goes through the extension's handler
// and changes the open document, and the user sees the steps and the outcome.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { activate, deactivate } from "../src/extension";
import { statusItem, stub, Uri } from "./stubs/vscode";

const REPO = path.resolve(__dirname, "..", "..", "..");
const AGENTLS = process.env.AGENTLS_SERVER ?? path.join(REPO, ".venv", "bin", "agentls");
const GREET = 'def greet(name):\n    return "héllo 🙂 " + name.upper()'; // as tests/e2e/conftest.py
const root = fs.mkdtempSync(path.join(os.tmpdir(), "agentls-client-"));

after(async () => {
  await deactivate();
  fs.rmSync(root, { recursive: true, force: true });
});

async function until(condition: () => boolean, seconds = 60): Promise<void> {
  for (const deadline = Date.now() + seconds * 1000; !condition(); ) {
    assert.ok(Date.now() < deadline, `still waiting after ${seconds} s: ${stub.visibleText()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const document = {
  uri: Uri.parse(pathToFileURL(path.join(root, "greet.py")).href),
  fileName: path.join(root, "greet.py"),
  languageId: "python",
  version: 1,
  text: GREET,
  isClosed: false,
  getText: () => document.text,
  lineAt: (line: number) => ({ text: document.text.split("\n")[line] }),
};

test("Edit Selection through the real language client: the edit lands in the open document", async () => {
  assert.ok(fs.existsSync(AGENTLS), `no agentls server at ${AGENTLS}: run "make venv" in ${REPO} first, or set AGENTLS_SERVER`);
  fs.writeFileSync(path.join(root, "greet.py"), GREET);
  const line = GREET.split("\n")[1];
  const start = { line: 1, character: line.indexOf("name.upper()") };
  const end = { line: 1, character: line.length };
  stub.reset();
  stub.workspaceFolders = [{ uri: Uri.parse(pathToFileURL(root).href), name: "ws", index: 0 }];
  stub.documents = [document];
  stub.activeTextEditor = { document, selection: { start, end, active: end, isEmpty: false } };
  stub.settings = {
    serverCommand: AGENTLS,
    model: `replay:${path.join(REPO, "tests", "data", "e2e_edit_selection.jsonl")}`,
  };
  const context = {
    subscriptions: [],
    secrets: { get: async () => undefined },
    globalState: { get: <T>(_key: string, fallback: T) => fallback, update: async () => undefined },
  };
  await activate(context as never);
  assert.equal(statusItem.text, "$(hubot) agentls", stub.visibleText());

  stub.answers.push("Use title() instead of upper().");
  await stub.commands.get("agentls.ui.editSelection")!();
  await until(() => stub.messages.length > 0);

  assert.equal(document.text, GREET.replace("name.upper()", "name.title()"));
  assert.equal(document.version, 2);
  const [message] = stub.messages;
  assert.equal(message.level, "info", message.text);
  assert.match(message.text, /^agentls \(applied\): greet\(\) now title-cases the name\. \[2 steps, no tests, lint clean, \d+ tokens\]$/);
  const [notification] = stub.progress;
  assert.match(notification.title, /^agentls: Use title\(\) instead of upper\(\)\. \(greet\.py:2\)$/);
  assert.ok(notification.reports.some((report) => report.startsWith("step 1:")), notification.reports.join("\n"));
  assert.equal(statusItem.text, "$(hubot) agentls");
});

test("with agentls.confirmEdits the edit opens as a diff and lands once the user chooses Apply", async () => {
  document.text = GREET;
  document.version = 1;
  stub.messages = [];
  stub.progress = [];
  stub.settings.confirmEdits = true;
  await stub.commands.get("agentls.ui.restartServer")!(); // a fresh replay of the recording
  stub.answers.push("Use title() instead of upper().", "Apply");
  await stub.commands.get("agentls.ui.editSelection")!();
  await until(() => stub.messages.some((m) => m.text.startsWith("agentls (")));

  const diff = stub.executed.find((call) => call.command === "vscode.diff");
  assert.ok(diff, "a diff was shown");
  assert.equal(String(diff.args[0]), document.uri.toString());
  assert.match(String(diff.args[2]), /^greet\.py ↔ agentls: /);
  const [question, outcome] = stub.messages;
  assert.match(question.text, /^agentls: .*: apply the change to .*greet\.py\?$/);
  assert.deepEqual(question.actions, ["Apply", "Discard"]);
  assert.match(outcome.text, /^agentls \(applied\): /);
  assert.equal(document.text, GREET.replace("name.upper()", "name.title()"));
});

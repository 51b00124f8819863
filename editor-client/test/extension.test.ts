// The extension as VS Code runs it, against the stand-ins of test/stubs/: what it
// registers, how it starts the server, what the user sees, where the API key goes.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, mock, test } from "node:test";
import { activate, deactivate } from "../src/extension";
import { behaviour, clients, type LanguageClient } from "./stubs/languageclient";
import { statusItem, stub } from "./stubs/vscode";

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
const KEY = "sk-test-0123456789abcdef";
const OUTCOME = { applied: true, summary: "Fixed the test.\nDetails.", steps: 2, edit: null, verdict: { tests: "passed", lint: "clean" } };

let interpreter: string;

function context() {
  const state = new Map<string, unknown>();
  return {
    subscriptions: [] as { dispose(): unknown }[],
    secrets: {
      get: async (id: string) => stub.secrets.get(id),
      store: async (id: string, value: string) => void stub.secrets.set(id, value),
      delete: async (id: string) => void stub.secrets.delete(id),
    },
    globalState: {
      get: <T>(key: string, fallback: T) => (state.has(key) ? (state.get(key) as T) : fallback),
      update: async (key: string, value: unknown) => void state.set(key, value),
    },
  };
}

const last = (): LanguageClient => clients[clients.length - 1];
const flush = () => new Promise((resolve) => setImmediate(resolve));

async function start(settings: Record<string, unknown> = {}) {
  stub.settings = { serverCommand: interpreter, ...settings };
  const ctx = context();
  await activate(ctx as never);
  return ctx;
}

beforeEach(() => {
  stub.reset();
  clients.length = 0;
  behaviour.startFails = null;
  behaviour.answer = () => OUTCOME;
  const venv = fs.mkdtempSync(path.join(os.tmpdir(), "agentls-venv-"));
  fs.mkdirSync(path.join(venv, "bin"));
  fs.writeFileSync(path.join(venv, "bin", "agentls"), "");
  interpreter = path.join(venv, "bin", "python");
});

afterEach(async () => {
  await deactivate();
  fs.rmSync(path.dirname(path.dirname(interpreter)), { recursive: true, force: true });
});

test("every contributed command is registered, and the chat participant", async () => {
  await start();
  const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual([...stub.commands.keys()].sort(), contributed);
  const used = [...manifest.contributes.keybindings, ...Object.values(manifest.contributes.menus).flat()].map((c: any) => c.command);
  assert.ok(used.every((id: string) => contributed.includes(id)), "menus and keybindings name contributed commands");
  assert.deepEqual(stub.chatParticipants.map((p) => p.id), [manifest.contributes.chatParticipants[0].id]);
});

test("settings are declared in package.json for every server setting the extension sends", async () => {
  await start();
  const declared = Object.keys(manifest.contributes.configuration.properties);
  const sent = last().clientOptions.initializationOptions.agentls;
  for (const key of Object.keys(sent).filter((k) => k !== "trustWorkspace" && k !== "timeouts")) {
    assert.ok(declared.includes(`agentls.${key}`), `agentls.${key} is declared`);
  }
  for (const key of Object.keys(sent.timeouts)) {
    assert.ok(declared.includes(`agentls.timeouts.${key}`));
  }
});

test("settings that name programs, or where the API key goes, come from user settings only in an untrusted workspace", () => {
  const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort();
  assert.deepEqual(restricted, [
    "agentls.apiBase", // a workspace could send the key to a server of its choosing
    "agentls.mcpServers",
    "agentls.model",
    "agentls.python",
    "agentls.serverCommand",
    "agentls.testCommand",
  ]);
});

test("the server starts from the configured interpreter's agentls, with the settings and workspace trust", async () => {
  stub.trusted = false;
  await start({ model: "openai/gpt-4o-mini", maxSteps: 7 });
  const client = last();
  assert.equal(client.serverOptions.command, path.join(path.dirname(interpreter), "agentls"));
  assert.deepEqual(client.serverOptions.args, ["serve"]);
  assert.equal(client.serverOptions.transport, undefined); // TransportKind.stdio would add a --stdio argument
  const sent = client.clientOptions.initializationOptions.agentls;
  assert.equal(sent.model, "openai/gpt-4o-mini");
  assert.equal(sent.maxSteps, 7);
  assert.equal(sent.trustWorkspace, false);
  assert.equal(statusItem.text, "$(hubot) agentls");
  // The server's workspace/configuration gets the same mapped section.
  const answer = await client.clientOptions.middleware.workspace.configuration({ items: [{ section: "agentls" }] }, {}, () => {
    throw new Error("not VS Code's raw section");
  });
  assert.deepEqual(answer, [sent]);
});

test("an interpreter without agentls: the status bar and a message say what to do", async () => {
  await start({ serverCommand: "/nowhere/bin/python" });
  assert.equal(clients.length, 0);
  assert.equal(statusItem.text, "$(error) agentls");
  const [error] = stub.messages;
  assert.equal(error.level, "error");
  assert.equal(
    error.text,
    "agentls: agentls is not installed in /nowhere/bin/python: install it there (pip install agentls) or set agentls.serverCommand (agentls.serverCommand)",
  );
  assert.deepEqual(error.actions, ["Open Settings", "Show Log"]);
});

function pythonExtension(executable: string) {
  const listeners: (() => void)[] = [];
  const environments = {
    getActiveEnvironmentPath: () => ({ id: executable, path: executable }),
    resolveEnvironment: async () => ({ executable: { uri: { fsPath: executable } } }),
    onDidChangeActiveEnvironmentPath: (listener: () => void) => listeners.push(listener),
  };
  stub.extensions["ms-python.python"] = { isActive: true, exports: { environments } };
  return { select: () => listeners.forEach((l) => l()) };
}

test("no serverCommand: the Python extension's interpreter, and a restart when the user selects another", async () => {
  const python = pythonExtension(interpreter);
  await start({ serverCommand: "" });
  assert.equal(last().serverOptions.command, path.join(path.dirname(interpreter), "agentls"));
  python.select();
  await flush();
  assert.equal(clients.length, 2);
});

test("no serverCommand, and agentls neither in the selected interpreter nor on PATH: the message names the interpreter", async (t) => {
  pythonExtension("/proj/.venv/bin/python");
  const saved = process.env.PATH;
  process.env.PATH = "/nonexistent";
  t.after(() => void (process.env.PATH = saved));
  await start({ serverCommand: "" });
  assert.equal(clients.length, 0);
  assert.match(stub.messages[0].text, /^agentls: agentls is not installed in \/proj\/\.venv\/bin\/python: install it there \(pip install agentls\)/);
});

test("a server that fails to start is reported with its error", async () => {
  behaviour.startFails = "spawn EACCES";
  await start();
  assert.equal(statusItem.text, "$(error) agentls");
  assert.match(stub.messages[0].text, /^agentls: the server could not start \(.*agentls\): spawn EACCES$/);
});

test("changed settings go to the server; workspace trust too; a new serverCommand restarts it", async () => {
  stub.trusted = false;
  await start();
  stub.changeSettings({ maxSteps: 5, "timeouts.task": 60 });
  const [change] = last().notifications.filter((n) => n.method === "workspace/didChangeConfiguration");
  assert.equal(change.params.settings.agentls.maxSteps, 5);
  assert.equal(change.params.settings.agentls.timeouts.task, 60);
  stub.trusted = true;
  stub.trustListeners.forEach((listener) => listener());
  const trusted = last().notifications.filter((n) => n.method === "workspace/didChangeConfiguration");
  assert.equal(trusted[1].params.settings.agentls.trustWorkspace, true);
  stub.changeSettings({ serverCommand: interpreter });
  await flush();
  assert.equal(clients.length, 2);
});

test("restarts asked at once leave exactly one server running", async () => {
  await start();
  const restart = stub.commands.get("agentls.ui.restartServer")!;
  await Promise.all([restart(), restart(), restart()]);
  assert.equal(clients.length, 4);
  assert.equal(clients.filter((client) => client.isRunning()).length, 1);
});

test("the API key goes to the server's environment, never to settings, logs or messages", async () => {
  const ctx = await start();
  stub.answers.push("OPENAI_API_KEY", KEY);
  await stub.commands.get("agentls.ui.setApiKey")!();
  const client = last();
  assert.equal(clients.length, 2, "restarted to use the key");
  assert.equal(client.serverOptions.options.env.OPENAI_API_KEY, KEY);
  assert.ok(!JSON.stringify(client.clientOptions.initializationOptions).includes(KEY));
  const [answer] = await client.clientOptions.middleware.workspace.configuration({ items: [{ section: "agentls" }] }, {}, () => []);
  assert.ok(!JSON.stringify(answer).includes(KEY));
  client.clientOptions.outputChannel.appendLine(`litellm: calling with api_key=${KEY}`); // the server's log
  stub.changeSettings({ maxSteps: 3 });
  assert.ok(!JSON.stringify(client.notifications).includes(KEY));
  assert.ok(stub.outputs.some((line) => line.includes("api_key=[redacted]")));
  assert.ok(!stub.visibleText().includes(KEY));
  assert.ok(!JSON.stringify(stub.settings).includes(KEY));
  assert.deepEqual(ctx.globalState.get("agentls.apiKeyVariables", []), ["OPENAI_API_KEY"]);
});

test("a crashed server restarts after a growing delay, then gives up and says so", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    await start();
    for (const delay of [1000, 2000, 4000, 8000, 16000]) {
      last().crash();
      assert.equal(statusItem.text, "$(error) agentls");
      assert.match(String(statusItem.tooltip), new RegExp(`restarting in ${delay / 1000} s`));
      const before = clients.length;
      mock.timers.tick(delay);
      for (let i = 0; i < 5; i++) await flush();
      assert.equal(clients.length, before + 1, `restarted after ${delay} ms`);
    }
    last().crash();
    assert.match(stub.messages[0].text, /the server stopped 5 times in a row; see the log, then run "agentls: Restart Server"/);
  } finally {
    mock.timers.reset();
  }
});

test("Run Task: asks for the task, runs it, shows the outcome", async () => {
  await start();
  stub.answers.push("  Fix the failing test ");
  await stub.commands.get("agentls.ui.runTask")!();
  const [request] = last().requests;
  assert.equal(request.method, "workspace/executeCommand");
  assert.deepEqual(request.params, { command: "agentls.runTask", arguments: [{ task: "Fix the failing test" }], workDoneToken: "agentls-vscode-1" });
  assert.deepEqual(stub.messages.map((m) => m.text), ["agentls (applied): Fixed the test. [2 steps, tests passed, lint clean]"]);
});

test("Run Task: nothing typed, nothing sent", async () => {
  await start();
  stub.answers.push(undefined);
  await stub.commands.get("agentls.ui.runTask")!();
  assert.deepEqual(last().requests, []);
});

function editor(text: string, selection: [number, number, number, number]) {
  const [a, b, c, d] = selection;
  const uri = { scheme: "file", path: "/w/greet.py", toString: () => "file:///w/greet.py" };
  return {
    document: { uri, lineAt: () => ({ text }) },
    selection: { start: { line: a, character: b }, end: { line: c, character: d }, active: { line: c, character: d }, isEmpty: a === c && b === d },
  };
}

test("Edit Selection: the instruction and the selection (or the cursor's line) go to agentls.editSelection", async () => {
  await start();
  stub.activeTextEditor = editor("    return name.upper()", [1, 4, 1, 4]);
  stub.answers.push("Use title()");
  await stub.commands.get("agentls.ui.editSelection")!();
  assert.deepEqual(last().requests[0].params.arguments[0], {
    uri: "file:///w/greet.py",
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 23 } },
    instruction: "Use title()",
  });
});

test("Fix Diagnostics sends VS Code's problems; Explain shows the explanation beside", async () => {
  await start();
  stub.activeTextEditor = editor("import os", [0, 0, 0, 0]);
  stub.diagnostics = [{ range: { start: { line: 0, character: 7 }, end: { line: 0, character: 9 } }, message: "unused", code: "F401", source: "Ruff", severity: 1 }];
  await stub.commands.get("agentls.ui.fixDiagnostics")!();
  assert.deepEqual(last().requests[0].params.arguments[0], { uri: "file:///w/greet.py", diagnostics: ["line 1: F401 unused (Ruff)"] });
  behaviour.answer = () => ({ applied: false, summary: "It imports os.", explanation: "It imports os.", steps: 1, edit: null });
  await stub.commands.get("agentls.ui.explain")!();
  assert.equal(last().requests[1].params.command, "agentls.explain");
  assert.ok(stub.outputs.includes("[document] It imports os."));
});

test("a task's progress: a notification with the steps, the status bar's step, and Cancel stops it", async () => {
  await start();
  let finish: (value: unknown) => void = () => undefined;
  behaviour.answer = () => new Promise((resolve) => (finish = resolve));
  stub.answers.push("Fix it");
  const running = stub.commands.get("agentls.ui.runTask")!();
  await flush();
  const client = last();
  const token = client.requests[0].params.workDoneToken; // the command's own progress token
  assert.ok(token);
  client.progressHandlers.get(token)!({ kind: "begin", title: "Fix it", message: "starting", cancellable: true });
  client.progressHandlers.get(token)!({ kind: "report", message: "step 2: ran the tests", percentage: 10 });
  assert.equal(statusItem.text, "$(sync~spin) agentls: step 2");
  const [notification] = stub.progress;
  assert.equal(notification.title, "agentls: Fix it");
  assert.deepEqual(notification.reports, ["starting", "step 2: ran the tests"]);
  notification.cancel();
  assert.deepEqual(client.notifications.at(-1), { method: "window/workDoneProgress/cancel", params: { token } });
  assert.equal(client.requests[0].token.isCancellationRequested, true); // and $/cancelRequest
  client.progressHandlers.get(token)!({ kind: "end", message: "cancelled" });
  finish({ applied: false, summary: "Cancelled; nothing was changed.", steps: 1, edit: null });
  await running;
  assert.equal(statusItem.text, "$(hubot) agentls");
  assert.equal(stub.messages.at(-1)!.text, "agentls (done): Cancelled; nothing was changed. [1 step]");
});

test("agentls: Cancel stops every task", async () => {
  await start();
  behaviour.answer = () => ({ cancelled: 2 });
  await stub.commands.get("agentls.ui.cancel")!();
  assert.deepEqual(last().requests[0].params, { command: "agentls.cancelAll", arguments: [{}] });
  assert.equal(stub.messages[0].text, "agentls: cancelled 2 task(s)");
});

test("a refused command (busy document) shows the server's reason", async () => {
  await start();
  behaviour.answer = () => {
    throw Object.assign(new Error("agentls is already working on greet.py (task 1); wait for it or cancel it"), { code: -32803 });
  };
  stub.answers.push("Fix it");
  await stub.commands.get("agentls.ui.runTask")!();
  assert.equal(stub.messages[0].level, "error");
  assert.equal(stub.messages[0].text, "agentls: agentls is already working on greet.py (task 1); wait for it or cancel it");
});

test("@agentls /edit streams the steps and offers the edit as a button", async () => {
  await start();
  stub.activeTextEditor = editor("    return name.upper()", [1, 11, 1, 23]);
  const edit = { documentChanges: [{ textDocument: { uri: "file:///w/greet.py", version: 1 }, edits: [] }] };
  behaviour.answer = (_method, params) => {
    const progress = last().progressHandlers.get(params.workDoneToken)!;
    progress({ kind: "begin", title: "Use title()", message: "starting" });
    progress({ kind: "report", message: "step 1: edit greet.py" });
    progress({ kind: "end", message: "done" });
    assert.equal(params.arguments[0].apply, false);
    return { applied: false, summary: "Uses title() now.", steps: 1, edit };
  };
  const streamed: unknown[] = [];
  const stream = {
    progress: (m: string) => streamed.push(["progress", m]),
    markdown: (m: string) => streamed.push(["markdown", m]),
    button: (c: unknown) => streamed.push(["button", c]),
  };
  const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };
  await stub.chatParticipants[0].handler({ command: "edit", prompt: "use title()" }, {}, stream, token);
  assert.deepEqual(streamed[0], ["progress", "Use title(): starting"]);
  assert.deepEqual(streamed[1], ["progress", "step 1: edit greet.py"]);
  assert.ok(streamed.some((s) => JSON.stringify(s) === JSON.stringify(["markdown", "Uses title() now.\n\n"])));
  assert.deepEqual(streamed.at(-1), ["button", { command: "agentls.ui.reviewEdit", title: "Review and Apply", arguments: [edit, "agentls"] }]);
  assert.equal(stub.progress.length, 0, "no notification: the chat shows the steps");
});

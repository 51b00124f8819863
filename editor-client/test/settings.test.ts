import assert from "node:assert/strict";
import { test } from "node:test";
import { serverSettings } from "../src/settings";

const from = (values: Record<string, unknown>) => (key: string) => values[key];

test("the defaults are the server's defaults", () => {
  assert.deepEqual(serverSettings(from({}), false), {
    model: "auto",
    apiBase: null,
    maxSteps: 20,
    confirmEdits: false,
    testCommand: null,
    python: null,
    verify: "tests",
    trustWorkspace: false,
    timeouts: { task: 600, tests: 120, code: 30, model: 120 },
    mcpServers: [],
  });
});

test("VS Code's settings map to the server's camelCase section", () => {
  const settings = serverSettings(
    from({
      model: " openai/gpt-4o-mini ",
      apiBase: "http://localhost:8000/v1",
      maxSteps: 5,
      confirmEdits: true,
      testCommand: "pytest -q tests",
      "timeouts.task": 60,
      "timeouts.model": 10,
    }),
    true,
  );
  assert.equal(settings.model, "openai/gpt-4o-mini");
  assert.equal(settings.apiBase, "http://localhost:8000/v1");
  assert.equal(settings.maxSteps, 5);
  assert.equal(settings.confirmEdits, true);
  assert.equal(settings.testCommand, "pytest -q tests");
  assert.deepEqual(settings.timeouts, { task: 60, tests: 120, code: 30, model: 10 });
});

test("trustWorkspace follows VS Code's workspace trust, whatever the settings say", () => {
  assert.equal(serverSettings(from({ trustWorkspace: true }), false).trustWorkspace, false);
  assert.equal(serverSettings(from({}), true).trustWorkspace, true);
});

test("only the server's settings are sent: no key, no extension-only setting", () => {
  const settings = serverSettings(from({ apiKey: "sk-secret", serverCommand: "/x/python", "trace.server": "verbose" }), true);
  assert.deepEqual(Object.keys(settings).sort(), [
    "apiBase",
    "confirmEdits",
    "maxSteps",
    "mcpServers",
    "model",
    "python",
    "testCommand",
    "timeouts",
    "trustWorkspace",
    "verify",
  ]);
  assert.ok(!JSON.stringify(settings).includes("sk-secret"));
});

test("MCP servers are passed to the server as given (it validates them)", () => {
  const servers = ["uvx mcp-server-time", { url: "http://localhost:8000/mcp" }];
  assert.deepEqual(serverSettings(from({ mcpServers: servers }), true).mcpServers, servers);
  assert.deepEqual(serverSettings(from({ mcpServers: "not a list" }), true).mcpServers, []);
});

test("empty strings mean unset", () => {
  const settings = serverSettings(from({ model: "", apiBase: "  ", testCommand: "" }), false);
  assert.equal(settings.model, "auto");
  assert.equal(settings.apiBase, null);
  assert.equal(settings.testCommand, null);
});

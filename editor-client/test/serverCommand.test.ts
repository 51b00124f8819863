import assert from "node:assert/strict";
import { test } from "node:test";
import { agentlsFor, type Lookup, resolveServerCommand } from "../src/serverCommand";

function lookup(files: string[], more: Partial<Lookup> = {}): Lookup {
  return { configured: null, interpreter: null, platform: "linux", pathVariable: "/usr/bin:/home/u/.local/bin", isFile: (f) => files.includes(f), ...more };
}

test("a configured interpreter runs the agentls script next to it", () => {
  const resolved = resolveServerCommand(lookup(["/venv/bin/agentls"], { configured: "/venv/bin/python3.11" }));
  assert.deepEqual(resolved, { ok: true, server: { command: "/venv/bin/agentls", args: ["serve"], source: "agentls.serverCommand" } });
});

test("a configured agentls executable is used as it is", () => {
  const resolved = resolveServerCommand(lookup(["/opt/agentls"], { configured: "/opt/agentls" }));
  assert.ok(resolved.ok && resolved.server.command === "/opt/agentls");
});

test("a configured interpreter without agentls: a message that says what to do", () => {
  const resolved = resolveServerCommand(lookup(["/home/u/.local/bin/agentls"], { configured: "/venv/bin/python" }));
  assert.deepEqual(resolved, {
    ok: false,
    message: "agentls is not installed in /venv/bin/python: install it there (pip install agentls) or set agentls.serverCommand (agentls.serverCommand)",
  });
});

test("the Python extension's interpreter is used when agentls is installed there", () => {
  const resolved = resolveServerCommand(lookup(["/proj/.venv/bin/agentls", "/usr/bin/agentls"], { interpreter: "/proj/.venv/bin/python" }));
  assert.ok(resolved.ok && resolved.server.command === "/proj/.venv/bin/agentls");
});

test("else agentls on PATH", () => {
  const resolved = resolveServerCommand(lookup(["/home/u/.local/bin/agentls"], { interpreter: "/proj/.venv/bin/python" }));
  assert.ok(resolved.ok);
  assert.deepEqual(resolved.server, { command: "/home/u/.local/bin/agentls", args: ["serve"], source: "PATH" });
});

test("nowhere: the message names the interpreter that lacks it", () => {
  const resolved = resolveServerCommand(lookup([], { interpreter: "/proj/.venv/bin/python" }));
  assert.ok(!resolved.ok);
  assert.match(resolved.message, /^agentls is not installed in \/proj\/\.venv\/bin\/python: install it there \(pip install agentls\)/);
  const none = resolveServerCommand(lookup([]));
  assert.ok(!none.ok && none.message.startsWith("agentls was not found on PATH"));
});

test("Windows: Scripts\\agentls.exe next to python.exe", () => {
  assert.equal(agentlsFor("C:\\venv\\Scripts\\python.exe", "win32"), "C:\\venv\\Scripts\\agentls.exe");
});

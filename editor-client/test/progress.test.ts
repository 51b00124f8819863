import assert from "node:assert/strict";
import { test } from "node:test";
import { type ProgressSink, ProgressRouter, type Working } from "../src/progress";
import { statusView, stepOf } from "../src/status";

function recorder(name: string, log: string[]): ProgressSink & { cancel?: () => void } {
  const sink: ProgressSink & { cancel?: () => void } = {
    begin: (title, message, cancel) => {
      sink.cancel = cancel;
      log.push(`${name} begin ${title}: ${message}`);
    },
    report: (message) => log.push(`${name} ${message}`),
    end: (message) => log.push(`${name} end ${message}`),
  };
  return sink;
}

function connection() {
  const handlers = new Map<string, (params: any) => unknown>();
  const progress = new Map<string | number, (value: any) => void>();
  const sent: { method: string; params: unknown }[] = [];
  return {
    handlers,
    progress,
    sent,
    onRequest: (method: string, handler: (params: any) => unknown) => (handlers.set(method, handler), { dispose() {} }),
    onProgress: (_type: unknown, token: string | number, handler: (value: any) => void) => (
      progress.set(token, handler), { dispose: () => progress.delete(token) }
    ),
    sendNotification: (method: string, params: unknown) => sent.push({ method, params }),
  };
}

test("a command's progress goes to that command; others to the default", () => {
  const log: string[] = [];
  const router = new ProgressRouter(() => recorder("default", log));
  const conn = connection();
  router.attach(conn);
  const expected = router.expect(recorder("command", log));
  conn.handlers.get("window/workDoneProgress/create")!({ token: "t1" });
  conn.handlers.get("window/workDoneProgress/create")!({ token: "t2" });
  conn.progress.get("t1")!({ kind: "begin", title: "fix a.py", message: "starting" });
  conn.progress.get("t2")!({ kind: "begin", title: "improve b.py", message: "starting" });
  conn.progress.get("t1")!({ kind: "report", message: "step 1: read a.py", percentage: 5 });
  conn.progress.get("t1")!({ kind: "end", message: "Fixed." });
  expected.done();
  assert.deepEqual(log, [
    "command begin fix a.py: starting",
    "default begin improve b.py: starting",
    "command step 1: read a.py",
    "command end Fixed.",
  ]);
  assert.equal(conn.progress.has("t1"), false); // no listener left behind
});

test("Cancel sends window/workDoneProgress/cancel with the task's token", () => {
  const log: string[] = [];
  const sink = recorder("command", log);
  const router = new ProgressRouter(() => recorder("default", log));
  const conn = connection();
  router.attach(conn);
  router.expect(sink);
  conn.handlers.get("window/workDoneProgress/create")!({ token: "agentls-1" });
  conn.progress.get("agentls-1")!({ kind: "begin", title: "t", cancellable: true });
  sink.cancel!();
  assert.deepEqual(conn.sent, [{ method: "window/workDoneProgress/cancel", params: { token: "agentls-1" } }]);
});

test("a command that ends without progress gives up its claim", () => {
  const log: string[] = [];
  const router = new ProgressRouter(() => recorder("default", log));
  router.expect(recorder("quick", log)).done();
  router.create("t");
  router.progress("t", { kind: "begin", title: "later task" });
  assert.deepEqual(log, ["default begin later task: undefined"]);
});

test("the status bar follows the steps", () => {
  const states: (Working | null)[] = [];
  const router = new ProgressRouter(() => recorder("default", []), (working) => states.push(working));
  router.create("t");
  router.progress("t", { kind: "begin", title: "fix", message: "starting" });
  router.progress("t", { kind: "report", message: "step 3: ran the tests" });
  router.progress("t", { kind: "report", message: "checking the change" });
  router.progress("t", { kind: "end", message: "done" });
  assert.deepEqual(states, [
    { tasks: 1, step: null, message: "starting" },
    { tasks: 1, step: 3, message: "step 3: ran the tests" },
    { tasks: 1, step: 3, message: "checking the change" },
    null,
  ]);
  assert.equal(statusView({ kind: "working", ...states[1]! }).text, "$(sync~spin) agentls: step 3");
  assert.equal(statusView({ kind: "working", tasks: 2, step: null, message: "" }).text, "$(sync~spin) agentls: working (2 tasks)");
  assert.equal(statusView({ kind: "idle" }).text, "$(hubot) agentls");
  const error = statusView({ kind: "error", message: "agentls is not installed in /x/python" });
  assert.deepEqual([error.text, error.tooltip, error.error], ["$(error) agentls", "agentls: agentls is not installed in /x/python", true]);
  assert.equal(stepOf("step 12: edit"), 12);
  assert.equal(stepOf("starting"), null);
});

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

test("a command's progress comes on its own token; tasks started elsewhere go to the default", () => {
  const log: string[] = [];
  const router = new ProgressRouter(() => recorder("default", log));
  const conn = connection();
  router.attach(conn);
  const claimed = router.claim(recorder("command", log));
  conn.handlers.get("window/workDoneProgress/create")!({ token: "t2" }); // e.g. a code action's task
  conn.progress.get(claimed.token)!({ kind: "begin", title: "fix a.py", message: "starting" });
  conn.progress.get("t2")!({ kind: "begin", title: "improve b.py", message: "starting" });
  conn.progress.get(claimed.token)!({ kind: "report", message: "step 1: read a.py", percentage: 5 });
  conn.progress.get(claimed.token)!({ kind: "end", message: "Fixed." });
  claimed.done();
  assert.deepEqual(log, [
    "command begin fix a.py: starting",
    "default begin improve b.py: starting",
    "command step 1: read a.py",
    "command end Fixed.",
  ]);
  assert.equal(conn.progress.has(claimed.token), false); // no listener left behind
});

test("commands started at once each get their own progress, in whatever order the server reports", () => {
  const log: string[] = [];
  const router = new ProgressRouter(() => recorder("default", log));
  const conn = connection();
  router.attach(conn);
  const first = router.claim(recorder("first", log));
  const second = router.claim(recorder("second", log));
  assert.notEqual(first.token, second.token);
  conn.progress.get(second.token)!({ kind: "begin", title: "b.py", message: "starting" });
  conn.progress.get(first.token)!({ kind: "begin", title: "a.py", message: "starting" });
  conn.progress.get(second.token)!({ kind: "end", message: "b done" });
  conn.progress.get(first.token)!({ kind: "end", message: "a done" });
  assert.deepEqual(log, [
    "second begin b.py: starting",
    "first begin a.py: starting",
    "second end b done",
    "first end a done",
  ]);
});

test("Cancel sends window/workDoneProgress/cancel with the task's token", () => {
  const log: string[] = [];
  const sink = recorder("command", log);
  const router = new ProgressRouter(() => recorder("default", log));
  const conn = connection();
  router.attach(conn);
  const { token } = router.claim(sink);
  conn.progress.get(token)!({ kind: "begin", title: "t", cancellable: true });
  sink.cancel!();
  assert.deepEqual(conn.sent, [{ method: "window/workDoneProgress/cancel", params: { token } }]);
});

test("a command that returns without its progress ending closes what it showed", () => {
  const log: string[] = [];
  const router = new ProgressRouter(() => recorder("default", log));
  const conn = connection();
  router.attach(conn);
  const claimed = router.claim(recorder("quick", log));
  conn.progress.get(claimed.token)!({ kind: "begin", title: "fix", message: "starting" });
  claimed.done(); // e.g. the server stopped mid-task
  assert.deepEqual(log, ["quick begin fix: starting", "quick end undefined"]);
  assert.equal(conn.progress.has(claimed.token), false);
  router.claim(recorder("busy", log)).done(); // refused before it began: nothing shown
  assert.equal(log.length, 2);
});

test("the status bar follows the steps", () => {
  const states: (Working | null)[] = [];
  const router = new ProgressRouter(() => recorder("default", []), (working) => states.push(working));
  router.attach(connection());
  router.claim(recorder("command", [])); // claimed but not begun: not a task yet
  const { token } = router.claim(recorder("command", []));
  router.progress(token, { kind: "begin", title: "fix", message: "starting" });
  router.progress(token, { kind: "report", message: "step 3: ran the tests" });
  router.progress(token, { kind: "report", message: "checking the change" });
  router.progress(token, { kind: "end", message: "done" });
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

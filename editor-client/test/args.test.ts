import assert from "node:assert/strict";
import { test } from "node:test";
import {
  editSelectionArgs,
  explainArgs,
  fixDiagnosticsArgs,
  instruction,
  outcomeMessage,
  problemLines,
  runTaskArgs,
  selectionOrLine,
} from "../src/args";

const range = (a: number, b: number, c: number, d: number) => ({ start: { line: a, character: b }, end: { line: c, character: d } });

test("the commands' arguments are the server's shapes", () => {
  assert.deepEqual(runTaskArgs("Fix it", undefined), { task: "Fix it" });
  assert.deepEqual(runTaskArgs("Fix it", "file:///w/a.py"), { task: "Fix it", uri: "file:///w/a.py" });
  assert.deepEqual(editSelectionArgs("file:///w/a.py", range(1, 2, 3, 4), "Shorter"), {
    uri: "file:///w/a.py",
    range: range(1, 2, 3, 4),
    instruction: "Shorter",
  });
  assert.deepEqual(explainArgs("file:///w/a.py", range(0, 0, 2, 0)), { uri: "file:///w/a.py", range: range(0, 0, 2, 0) });
});

test("the chat asks for the edit back instead of having it applied", () => {
  assert.deepEqual(runTaskArgs("Fix it", undefined, false), { task: "Fix it", apply: false });
  assert.equal((editSelectionArgs("u", range(0, 0, 0, 1), "x", false) as { apply?: boolean }).apply, false);
});

test("fix diagnostics sends the editor's problems in the range, or none (the server runs ruff)", () => {
  const problems = [
    { range: range(2, 0, 2, 9), message: "`os` imported but unused", code: "F401", source: "Ruff" },
    { range: range(9, 4, 9, 8), message: "undefined name", code: { value: "F821" } },
  ];
  assert.deepEqual(fixDiagnosticsArgs("u", null, problems), {
    uri: "u",
    diagnostics: ["line 3: F401 `os` imported but unused (Ruff)", "line 10: F821 undefined name"],
  });
  assert.deepEqual(fixDiagnosticsArgs("u", range(8, 0, 10, 0), problems), {
    uri: "u",
    range: range(8, 0, 10, 0),
    diagnostics: ["line 10: F821 undefined name"],
  });
  assert.deepEqual(fixDiagnosticsArgs("u", null, []), { uri: "u" });
});

test("problems without a code or source", () => {
  assert.deepEqual(problemLines([{ range: range(0, 0, 0, 1), message: "bad" }]), ["line 1: bad"]);
});

test("an empty selection means the cursor's line", () => {
  assert.deepEqual(selectionOrLine(range(4, 7, 4, 7), 30), range(4, 0, 4, 30));
  assert.deepEqual(selectionOrLine(range(4, 7, 6, 1), 30), range(4, 7, 6, 1));
});

test("an instruction of only spaces is no instruction", () => {
  assert.equal(instruction("   "), null);
  assert.equal(instruction(undefined), null);
  assert.equal(instruction("  Use title() "), "Use title()");
});

test("the outcome in one line: what happened, checks, steps, tokens, cost", () => {
  const message = outcomeMessage({
    applied: true,
    summary: "Fixed Stock.total_value.\nMore details.",
    steps: 6,
    edit: { changes: {} },
    verdict: { tests: "passed", lint: "clean" },
    tokens: { input: 1000, output: 234 },
    cost: 0.00123,
  });
  assert.equal(message, "agentls (applied): Fixed Stock.total_value. [6 steps, tests passed, lint clean, 1234 tokens, $0.0012]");
  const refused = outcomeMessage({ applied: false, summary: "Not applied: tests fail.", steps: 1, edit: { changes: {} }, verdict: { tests: "not run", lint: "not run" } });
  assert.equal(refused, "agentls (not applied): Not applied: tests fail. [1 step]");
  assert.equal(outcomeMessage({ applied: false, summary: "No problems found in a.py.", steps: 0, edit: null }), "agentls (done): No problems found in a.py.");
  const untested = outcomeMessage({ applied: true, summary: "Done.", steps: 2, edit: null, verdict: { tests: "no tests", lint: "clean" } });
  assert.equal(untested, "agentls (applied): Done. [2 steps, no tests, lint clean]");
});

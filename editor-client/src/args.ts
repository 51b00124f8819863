// The server's commands, their arguments (one JSON object each, see server/features/),
// and what their answers say to a user.

import type { WorkspaceEdit } from "vscode-languageserver-protocol";

export const SERVER = {
  runTask: "agentls.runTask",
  editSelection: "agentls.editSelection",
  fixDiagnostics: "agentls.fixDiagnostics",
  explain: "agentls.explain",
  cancelAll: "agentls.cancelAll",
} as const;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Problem {
  range: Range;
  message: string;
  code?: string | number | { value: string | number };
  source?: string;
}

export interface Outcome {
  applied: boolean;
  summary: string;
  steps: number;
  edit: WorkspaceEdit | null;
  verdict?: { tests?: string; lint?: string };
  tokens?: { input: number; output: number };
  cost?: number | null;
  explanation?: string;
}

/** `apply: false` asks the server to return the edit instead of applying it (the chat offers it). */
export function runTaskArgs(task: string, uri: string | undefined, apply = true): object {
  return { task, ...(uri ? { uri } : {}), ...(apply ? {} : { apply: false }) };
}

export function editSelectionArgs(uri: string, range: Range, instruction: string, apply = true): object {
  return { uri, range: plain(range), instruction, ...(apply ? {} : { apply: false }) };
}

/** The editor's own problems in the range, if any; with none the server runs ruff. */
export function fixDiagnosticsArgs(uri: string, range: Range | null, problems: Problem[], apply = true): object {
  const inRange = range === null ? problems : problems.filter((p) => overlaps(p.range, range));
  const lines = problemLines(inRange);
  return {
    uri,
    ...(range ? { range: plain(range) } : {}),
    ...(lines.length ? { diagnostics: lines } : {}),
    ...(apply ? {} : { apply: false }),
  };
}

export function explainArgs(uri: string, range: Range): object {
  return { uri, range: plain(range) };
}

/** What the user typed, or null when they typed nothing. */
export function instruction(typed: string | undefined): string | null {
  return typed && typed.trim() ? typed.trim() : null;
}

/** The selection, or the cursor's whole line when nothing is selected. */
export function selectionOrLine(selection: Range, lineLength: number): Range {
  const { start, end } = selection;
  if (start.line !== end.line || start.character !== end.character) {
    return plain(selection);
  }
  return { start: { line: start.line, character: 0 }, end: { line: start.line, character: lineLength } };
}

/** Problems as the server's code actions write them: "line 3: F401 `os` imported but unused (ruff)". */
export function problemLines(problems: Problem[]): string[] {
  return problems.slice(0, 30).map((p) => {
    const code = typeof p.code === "object" ? p.code.value : p.code;
    const prefix = code !== undefined && code !== "" ? `${code} ` : "";
    const source = p.source ? ` (${p.source})` : "";
    return `line ${p.range.start.line + 1}: ${prefix}${p.message}${source}`;
  });
}

/** One line for a notification: what happened, and the checks, steps, tokens and cost. */
export function outcomeMessage(outcome: Outcome): string {
  const first = outcome.summary.split("\n").find((line) => line.trim()) ?? "";
  const facts: string[] = [];
  if (outcome.steps) {
    facts.push(`${outcome.steps} step${outcome.steps === 1 ? "" : "s"}`);
  }
  const { tests, lint } = outcome.verdict ?? {};
  if (tests && tests !== "not run") {
    facts.push(tests === "no tests" ? tests : `tests ${tests}`);
  }
  if (lint && lint !== "not run") {
    facts.push(`lint ${lint}`);
  }
  const tokens = (outcome.tokens?.input ?? 0) + (outcome.tokens?.output ?? 0);
  if (tokens) {
    facts.push(`${tokens} tokens`);
  }
  if (typeof outcome.cost === "number" && outcome.cost > 0) {
    facts.push(`$${outcome.cost.toFixed(4)}`);
  }
  const state = outcome.applied ? "applied" : outcome.edit ? "not applied" : "done";
  return `agentls (${state}): ${first}${facts.length ? ` [${facts.join(", ")}]` : ""}`;
}

function overlaps(a: Range, b: Range): boolean {
  return a.start.line <= b.end.line && b.start.line <= a.end.line;
}

function plain(range: Range): Range {
  return {
    start: { line: range.start.line, character: range.start.character },
    end: { line: range.end.line, character: range.end.character },
  };
}

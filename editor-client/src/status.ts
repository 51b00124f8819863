// The status bar item's text and tooltip: starting, idle, working (step n), error.

import type { Working } from "./progress";

export type ServerState =
  | { kind: "starting" }
  | { kind: "idle" }
  | { kind: "working"; tasks: number; step: number | null; message: string }
  | { kind: "error"; message: string };

export interface StatusView {
  text: string;
  tooltip: string;
  error: boolean;
}

export function statusView(state: ServerState): StatusView {
  switch (state.kind) {
    case "starting":
      return { text: "$(loading~spin) agentls", tooltip: "agentls: starting the server", error: false };
    case "idle":
      return { text: "$(hubot) agentls", tooltip: "agentls: idle. Click for the log.", error: false };
    case "working": {
      const step = state.step === null ? "working" : `step ${state.step}`;
      const more = state.tasks > 1 ? ` (${state.tasks} tasks)` : "";
      return { text: `$(sync~spin) agentls: ${step}${more}`, tooltip: `agentls: ${state.message}`, error: false };
    }
    case "error":
      return { text: "$(error) agentls", tooltip: `agentls: ${state.message}`, error: true };
  }
}

/** What the status bar shows: the tasks' progress while the server runs, else its state. */
export function shownState(server: ServerState, working: Working | null): ServerState {
  return working && server.kind === "idle" ? { kind: "working", ...working } : server;
}

/** The step number of a progress message such as "step 3: read stock.py". */
export function stepOf(message: string | undefined): number | null {
  const match = /^step (\d+):/.exec(message ?? "");
  return match ? Number(match[1]) : null;
}

// The server's settings (section "agentls", see server/config.py) from VS Code's
// configuration. Only the server's own keys are sent: extension-only settings
// (serverCommand, trace) stay here, and an API key is never a setting (it reaches the
// server through its environment, see secrets.ts).

export interface ServerSettings {
  model: string;
  apiBase: string | null;
  maxSteps: number;
  confirmEdits: boolean;
  testCommand: string | null;
  python: string | null;
  verify: string;
  trustWorkspace: boolean;
  timeouts: { task: number; tests: number; code: number; model: number };
  mcpServers: unknown[];
}

/** Reads one setting under "agentls", e.g. read("timeouts.task"); undefined when unset. */
export type ReadSetting = (key: string) => unknown;

export function serverSettings(read: ReadSetting, trusted: boolean): ServerSettings {
  return {
    model: text(read("model")) ?? "auto",
    apiBase: text(read("apiBase")),
    maxSteps: number(read("maxSteps"), 20),
    confirmEdits: read("confirmEdits") === true,
    testCommand: text(read("testCommand")),
    python: text(read("python")),
    verify: text(read("verify")) ?? "tests",
    // Running the workspace's tests executes its code: only in a workspace VS Code trusts.
    trustWorkspace: trusted,
    timeouts: {
      task: number(read("timeouts.task"), 600),
      tests: number(read("timeouts.tests"), 120),
      code: number(read("timeouts.code"), 30),
      model: number(read("timeouts.model"), 120),
    },
    // Passed as given: the server validates each entry and reports the bad ones.
    mcpServers: Array.isArray(read("mcpServers")) ? (read("mcpServers") as unknown[]) : [],
  };
}

/** The answer to workspace/configuration: the server asks for its "agentls" section. */
export function configurationAnswer(items: { section?: string }[], settings: ServerSettings): (ServerSettings | null)[] {
  return items.map((item) => (item.section === "agentls" ? settings : null));
}

/** Settings that need a new server process when they change (the others are sent live). */
export const RESTART_SETTINGS = ["agentls.serverCommand"];

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function number(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

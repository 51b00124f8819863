// Which program runs `agentls serve`: the setting agentls.serverCommand (a Python
// interpreter, or the agentls executable itself), else the Python extension's selected
// interpreter when agentls is installed there, else `agentls` on PATH.
//
// From an interpreter we run the `agentls` console script next to it, never
// `python -m`: a console script keeps the user's folder off sys.path, where a project's
// own `tools` or `server` package would shadow agentls's (see DESIGN.md).

import * as path from "node:path";

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where it came from, for the log: "agentls.serverCommand", "the Python extension", "PATH". */
  source: string;
}

export interface Lookup {
  configured: string | null;
  interpreter: string | null; // the Python extension's selected interpreter, if any
  platform: NodeJS.Platform;
  pathVariable: string;
  isFile: (file: string) => boolean;
}

export type Resolved = { ok: true; server: ServerCommand } | { ok: false; message: string };

const INSTALL = "install it there (pip install agentls) or set agentls.serverCommand";

export function resolveServerCommand(lookup: Lookup): Resolved {
  if (lookup.configured) {
    const script = agentlsFor(lookup.configured, lookup.platform);
    if (!lookup.isFile(script)) {
      const what = script === lookup.configured ? `${script} does not exist` : `agentls is not installed in ${lookup.configured}`;
      return { ok: false, message: `${what}: ${INSTALL} (agentls.serverCommand)` };
    }
    return { ok: true, server: { command: script, args: ["serve"], source: "agentls.serverCommand" } };
  }
  if (lookup.interpreter) {
    const script = agentlsFor(lookup.interpreter, lookup.platform);
    if (lookup.isFile(script)) {
      return { ok: true, server: { command: script, args: ["serve"], source: "the Python extension's interpreter" } };
    }
  }
  const onPath = findOnPath(executable("agentls", lookup.platform), lookup);
  if (onPath) {
    return { ok: true, server: { command: onPath, args: ["serve"], source: "PATH" } };
  }
  if (lookup.interpreter) {
    return { ok: false, message: `agentls is not installed in ${lookup.interpreter}: ${INSTALL}` };
  }
  return { ok: false, message: `agentls was not found on PATH: ${INSTALL} (the Python interpreter of its environment)` };
}

/** The agentls console script of an interpreter, or the path itself when it already is one. */
export function agentlsFor(program: string, platform: NodeJS.Platform): string {
  const lib = platform === "win32" ? path.win32 : path.posix;
  const name = lib.basename(program).toLowerCase();
  if (!name.startsWith("python")) {
    return program;
  }
  return lib.join(lib.dirname(program), executable("agentls", platform));
}

function executable(name: string, platform: NodeJS.Platform): string {
  return platform === "win32" ? `${name}.exe` : name;
}

function findOnPath(name: string, lookup: Lookup): string | null {
  const lib = lookup.platform === "win32" ? path.win32 : path.posix;
  const separator = lookup.platform === "win32" ? ";" : ":";
  for (const folder of lookup.pathVariable.split(separator)) {
    if (folder && lookup.isFile(lib.join(folder, name))) {
      return lib.join(folder, name);
    }
  }
  return null;
}

// Bundles the extension (dist/extension.js) or, with --tests, the tests (out/test/*.js).
// In the tests `vscode` is a small stand-in (test/stubs/); the language client is one too,
// except in realClient.test.ts, which runs the real vscode-languageclient.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const tests = process.argv.includes("--tests");
const common = { bundle: true, platform: "node", format: "cjs", target: "node18", sourcemap: tests, logLevel: "warning" };
const REAL_CLIENT = "realClient.test.ts";

if (tests) {
  const entryPoints = readdirSync("test")
    .filter((f) => f.endsWith(".test.ts") && f !== REAL_CLIENT)
    .map((f) => `test/${f}`);
  await build({
    ...common,
    entryPoints,
    outdir: "out/test",
    alias: { vscode: "./test/stubs/vscode.ts", "vscode-languageclient/node": "./test/stubs/languageclient.ts" },
  });
  await build({ ...common, entryPoints: [`test/${REAL_CLIENT}`], outdir: "out/test", alias: { vscode: "./test/stubs/vscode-loose.js" } });
} else {
  await build({
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    external: ["vscode"],
    minify: process.argv.includes("--production"),
  });
}

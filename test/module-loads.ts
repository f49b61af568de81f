/**
 * Which modules a node process loads, recorded by a module loader hook (node's `register`): for
 * tests that pin what a command loads (readers, UI libraries) and what it leaves out.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const HOOKS = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.FWLINT_LOAD_LOG, url + "\\n");
  return next(url, context);
}
`;

/**
 * Runs `node ...args` in `dir` with the hook (written into `dir`), and returns the URLs of the
 * modules it loaded, in order, with the run's exit status and stderr.
 */
export function modulesLoaded(dir: string, args: string[]): { urls: string[]; status: number | null; stderr: string } {
  const hooks = join(dir, "load-hooks.mjs");
  const register = join(dir, "load-register.mjs");
  const log = join(dir, "loads.txt");
  writeFileSync(hooks, HOOKS);
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  writeFileSync(log, "");
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, FWLINT_LOAD_LOG: log } });
  return { urls: readFileSync(log, "utf8").split("\n").filter(Boolean), status: r.status, stderr: r.stderr };
}

/**
 * `fwlint review` built and run as a user runs it:
 *  - in a real terminal (tmux: new-session, send-keys, capture-pane): navigate to the SMTP finding
 *    of a copy of fixtures/iptables/open-relay.rules, accept it with a reason, and see the
 *    suppression comment in the file and the finding gone from the screen; quit with status 0;
 *  - without a terminal: one line pointing to `fwlint check`, status 2;
 *  - `check` never loads the review's UI chunk (ink, React), which `review` does load.
 * tmux absent: the terminal test is skipped with a message; FWLINT_REQUIRE_TMUX=1 makes that a failure.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCliOnce } from "../build-cli.js";
import { modulesLoaded } from "../module-loads.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "fwlint.js");
const tmp = mkdtempSync(join(tmpdir(), "fwlint-review-e2e-"));
const REQUIRE_TMUX = process.env.FWLINT_REQUIRE_TMUX === "1";
const hasTmux = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
if (!hasTmux && !REQUIRE_TMUX) console.warn("[review e2e] SKIPPED the terminal test: tmux is not installed (FWLINT_REQUIRE_TMUX=1 to require it)");

const socket = `fwlint-review-${process.pid}`;
afterAll(() => {
  if (hasTmux) spawnSync("tmux", ["-L", socket, "kill-server"]);
  rmSync(tmp, { recursive: true, force: true });
});

beforeAll(() => buildCliOnce(), 130_000);

function tmux(...args: string[]): string {
  const r = spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const screen = () => tmux("capture-pane", "-p", "-t", "review");

/** Waits until the screen matches; fails with the screen as it is. */
async function waitFor(what: RegExp | ((s: string) => boolean), timeoutMs = 15_000): Promise<string> {
  const test = typeof what === "function" ? what : (s: string) => what.test(s);
  const end = Date.now() + timeoutMs;
  let s = "";
  while (Date.now() < end) {
    s = screen();
    if (test(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${String(what)}; the screen shows:\n${s}`);
}

/** One key at a time, as a person types (ink reads a burst of keys as one input). */
async function keys(...ks: string[]) {
  for (const k of ks) {
    tmux("send-keys", "-t", "review", k);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const selected = (s: string) => s.split("\n").find((l) => l.startsWith("> ")) ?? "";

describe("fwlint review (built)", () => {
  it.skipIf(!hasTmux && !REQUIRE_TMUX)("in tmux: go to the SMTP finding, accept it with a reason; the comment is written and the screen updates", async () => {
    if (!hasTmux) expect.fail("tmux is not installed, and FWLINT_REQUIRE_TMUX=1 requires the terminal test");
    const file = join(tmp, "open-relay.rules");
    copyFileSync(join(root, "fixtures", "iptables", "open-relay.rules"), file);
    // CI=true as on a CI runner: a terminal on both ends still means a person, and the review must
    // draw and answer keys as for one (ink alone would only print a final frame under CI).
    const command = `env CI=true NO_COLOR=1 EDITOR=true ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} review open-relay.rules; echo FWLINT_EXIT=$?; sleep 600`;
    tmux("new-session", "-d", "-s", "review", "-x", "100", "-y", "30", "-c", tmp, command);

    let s = await waitFor(/fwlint review - Findings {2}high:2 {2}2 findings in 1 file/);
    expect(s).toContain("HIGH  open-relay.rules (2)");
    // The whole UI fits the window: its title is on the first line and its key hints on the last.
    expect(s.split("\n")[0]).toMatch(/^fwlint review - Findings/);
    expect(s.trimEnd().split("\n")).toHaveLength(30);
    expect(s.trimEnd().split("\n")[29]).toMatch(/^\?:help/);
    for (let i = 0; i < 5 && !selected(s).includes("SMTP"); i++) {
      await keys("j");
      s = screen();
    }
    expect(selected(s)).toContain("line 16  SMTP (tcp/25) is reachable from any source");

    await keys("Enter");
    s = await waitFor(/>16 \| -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT/);
    expect(s).toContain("Example packet");
    expect(s).toMatch(/ {2}1\. open-relay\.rules:16 {2}filter INPUT\n {5}accept {2}-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT/);

    await keys("a");
    await waitFor(/Accept exposed-service at open-relay\.rules:16, reason: _/);
    tmux("send-keys", "-t", "review", "-l", "relay limited to our MX upstream");
    await waitFor(/reason: relay limited to our MX upstream_/);
    await keys("Enter");
    s = await waitFor(/accepted: suppression comment written at open-relay\.rules:16/);
    expect(s).toContain("high:1  1 finding in 1 file");
    expect(s).not.toContain("SMTP (tcp/25)");

    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines[15]).toBe("# fwlint-disable-next-line exposed-service -- relay limited to our MX upstream");
    expect(lines[16]).toBe("-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT");
    // And the checker honours it.
    const check = spawnSync(process.execPath, [bin, "check", "--format", "json", file], { encoding: "utf8" });
    const findings = (JSON.parse(check.stdout) as { findings: { exposure?: { service?: string } }[] }).findings;
    expect(findings.map((f) => f.exposure?.service)).toEqual(["ssh"]);

    await keys("Escape", "q");
    s = await waitFor(/FWLINT_EXIT=\d+/);
    expect(s).toContain("FWLINT_EXIT=0");
    expect(s).not.toContain("fwlint review - "); // the normal screen is back, the review's is gone
  }, 90_000);

  it("without a terminal: one line pointing to check, status 2", () => {
    const file = join(tmp, "piped.rules");
    copyFileSync(join(root, "fixtures", "iptables", "open-relay.rules"), file);
    const r = spawnSync(process.execPath, [bin, "review", "piped.rules"], { cwd: tmp, encoding: "utf8", input: "" });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("fwlint review: needs a terminal (stdin and stdout); use 'fwlint check piped.rules' for scripts and CI\n");
  });

  it("check does not load ink or React; review does (module loads recorded by a loader hook)", () => {
    const rules = join(tmp, "typical.rules");
    copyFileSync(join(root, "fixtures", "iptables", "open-relay.rules"), rules);
    const loaded = (args: string[]) => modulesLoaded(tmp, args).urls;
    const UI = /vendor-review-|\/node_modules\/(ink|react)\//;
    const check = loaded([bin, "check", rules]);
    expect(check.some((u) => /\/chunks\/check-/.test(u))).toBe(true); // the hook sees the lazily loaded chunks
    expect(check.filter((u) => UI.test(u))).toEqual([]);
    expect(loaded([bin, "review", "--help"]).filter((u) => UI.test(u))).toEqual([]);
    // The review's UI module, loaded as `review` loads it once it has a terminal, brings them in.
    const chunks = join(root, "dist", "chunks");
    const runChunk = readdirSync(chunks).find((f) => /^run-.*\.js$/.test(f) && readFileSync(join(chunks, f), "utf8").includes("runReviewUi"));
    expect(runChunk).toBeDefined();
    const ui = loaded(["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(join(chunks, runChunk!)).href)})`]);
    expect(ui.filter((u) => UI.test(u)).length).toBeGreaterThan(0);
  });
});

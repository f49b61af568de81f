/**
 * The review UI, view by view and key by key, with ink-testing-library (frames as text) at 80x24.
 * The scans are real (fixtures copied into a temp dir); the actions that touch the outside world
 * (accept, editor, watch) are recorded fakes, tested for real in accept.test.ts and the tmux test.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useEffect } from "react";
import { cleanup, render } from "ink-testing-library";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { AcceptTarget } from "../../src/review/accept.js";
import { scan, type ReviewFinding, type ScanResult } from "../../src/review/session.js";
import { App, type ReviewActions } from "../../src/review/ui/App.js";
import { severityColor } from "../../src/review/ui/theme.js";

const root = join(import.meta.dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "fwlint-review-ui-"));
// Paths as a user types them (relative), so rows are not cut at 80 columns by a long temp folder.
const cwd = process.cwd();
process.chdir(tmp);
afterAll(() => {
  process.chdir(cwd);
  rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => cleanup());

const relay = "open-relay.rules";
copyFileSync(join(root, "fixtures", "iptables", "open-relay.rules"), join(tmp, relay));
const source = { paths: [relay], baselineFile: "baseline.json" };

const KEYS = { down: "\x1b[B", up: "\x1b[A", enter: "\r", escape: "\x1b", tab: "\t", backspace: "\x7f", ctrlU: "\x15" };
const tick = (ms = 100) => new Promise((r) => setTimeout(r, ms));
/**
 * What follows a scan (a re-scan, the exposure map) is waited for (vi.waitUntil), not given a fixed
 * time: under load a re-scan took longer than 100 ms.
 */
const SCAN_WAIT = { timeout: 5000, interval: 10 };

interface Recorded {
  accepted: { item: ReviewFinding; reason: string; target: AcceptTarget }[];
  edited: { file: string; line: number }[];
  rescans: number;
  onChange?: () => void;
  unmounted: boolean;
}

function Probe({ onUnmount, ...props }: Parameters<typeof App>[0] & { onUnmount: () => void }) {
  useEffect(() => () => onUnmount(), []);
  return <App {...props} />;
}

async function start(opts: { initial?: ScanResult; next?: () => Promise<ScanResult>; width?: number; height?: number } = {}) {
  const initial = opts.initial ?? (await scan(source));
  const rec: Recorded = { accepted: [], edited: [], rescans: 0, unmounted: false };
  const actions: ReviewActions = {
    rescan: async () => {
      rec.rescans++;
      return opts.next ? opts.next() : initial;
    },
    accept: async (item, reason, target) => {
      rec.accepted.push({ item, reason, target });
      return target === "comment" ? `suppression comment written at ${item.finding.location.file}:${item.finding.location.line}` : "added to the baseline";
    },
    openEditor: async (file, line) => void rec.edited.push({ file, line }),
    watch: (_files, onChange) => {
      rec.onChange = onChange;
      return () => undefined;
    },
  };
  const ui = render(
    <Probe initial={initial} actions={actions} color={false} baselineFile="baseline.json" width={opts.width ?? 80} height={opts.height ?? 24} onUnmount={() => (rec.unmounted = true)} />,
  );
  await tick();
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      ui.stdin.write(k);
      await tick();
    }
  };
  const frame = () => ui.lastFrame() ?? "";
  return { ui, rec, press, frame };
}

/** The selected list row ("> " marker). */
const selectedLine = (frame: string) => frame.split("\n").find((l) => l.startsWith("> ")) ?? "";

/** Fits the screen: at most `h` lines of at most `w` columns. */
function expectFits(frame: string, w = 80, h = 24) {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(h);
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(w);
}

describe("findings list", () => {
  it("groups by severity and file with counts, shows the key hints, fits 80x24", async () => {
    const { frame } = await start();
    const f = frame();
    expect(f).toContain("fwlint review - Findings  high:2  2 findings in 1 file");
    expect(f).toContain(`HIGH  ${relay} (2)`);
    expect(f).toContain("> high     exposed-service v4  line 15  SSH (tcp/22) is reachable from any");
    expect(f).toContain("\n  high     exposed-service v4  line 16  SMTP (tcp/25)");
    expect(f).toContain("?:help");
    expectFits(f);
  });

  it("Down/j and Up/k move the selection", async () => {
    const { press, frame } = await start();
    await press(KEYS.down);
    expect(selectedLine(frame())).toContain("SMTP");
    await press("k");
    expect(selectedLine(frame())).toContain("SSH");
    await press("j");
    expect(selectedLine(frame())).toContain("SMTP");
    await press(KEYS.up);
    expect(selectedLine(frame())).toContain("SSH");
    await press("G");
    expect(selectedLine(frame())).toContain("SMTP");
    await press("g");
    expect(selectedLine(frame())).toContain("SSH");
  });

  it("/ searches as you type; Enter keeps the search, Esc clears the filters", async () => {
    const { press, frame } = await start();
    await press("/", "s", "m", "t", "p");
    expect(frame()).toContain("/smtp_");
    expect(frame()).toContain("SMTP");
    expect(frame()).not.toContain("SSH (tcp/22)");
    await press(KEYS.enter);
    expect(frame()).toContain("/smtp  sort:severity");
    await press(KEYS.escape);
    expect(frame()).toContain("SSH (tcp/22)");
    expect(frame()).toContain("filters cleared");
  });

  it("s cycles the minimum severity, r the rule, o the sort order", async () => {
    const { press, frame } = await start();
    await press("s");
    expect(frame()).toContain("severity>=critical");
    expect(frame()).toContain("No findings match");
    await press("s");
    expect(frame()).toContain("severity>=high");
    expect(frame()).toContain("SMTP");
    await press(KEYS.escape, "r");
    expect(frame()).toContain("rule=exposed-service");
    await press("r");
    expect(frame()).not.toContain("rule=");
    await press("o");
    expect(frame()).toContain("sort:file");
    expect(frame()).toContain(`${relay} (2)`);
    await press("o");
    expect(frame()).toContain("sort:rule");
    expect(frame()).toContain("exposed-service (2)");
    expect(frame()).toContain(`exposed-service v4  ${relay}:15`); // no file header: rows name it
  });
});

describe("problems", () => {
  it("files that could not be read are listed above the findings", async () => {
    writeFileSync("notes.rules", "just some notes\n");
    const initial = await scan({ paths: [relay, "notes.rules"], baselineFile: source.baselineFile });
    expect(initial.problems.length).toBe(1);
    const { frame } = await start({ initial });
    expect(frame()).toMatch(/^! notes\.rules: not a firewall configuration fwlint reads/m);
    expect(frame()).toContain("1 problem(s)");
    expect(frame()).toContain("line 16  SMTP");
    expectFits(frame());
  });
});

describe("detail", () => {
  it("Enter shows message, source with the rule marked, example packet and trace with file:line; Esc goes back", async () => {
    const { press, frame } = await start();
    await press("j", KEYS.enter);
    const f = frame();
    expect(f).toContain("fwlint review - Finding ");
    expect(f).toContain(`HIGH exposed-service  ${relay}:16:1`);
    expect(f).toContain("SMTP (tcp/25) is reachable from any source on the inbound path");
    expect(f).toContain(">16 | -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT");
    expect(f).toContain(" 15 | -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
    expect(f).toContain("Example packet");
    expect(f).toMatch(/tcp \S+:40000 -> \S+:25 iif eth0/);
    expect(f).toContain("Trace");
    expect(f).toContain(`  1. ${relay}:16  filter INPUT\n     accept  -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT`);
    expectFits(f);
    await press(KEYS.escape);
    expect(frame()).toContain("fwlint review - Findings");
  });

  it("a wide terminal shows the selected finding's detail beside the list, following the selection", async () => {
    const { press, frame } = await start({ width: 160, height: 30 });
    expect(frame()).toMatch(/^HIGH {2}open-relay\.rules \(2\) +HIGH exposed-service {2}open-relay\.rules:15:1$/m);
    expect(frame()).toMatch(/^> high .*SSH .* SSH \(tcp\/22\) is reachable from any source on the inbound path$/m);
    expect(frame()).toMatch(/>15 \| -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT/);
    await press("j");
    expect(frame()).toMatch(/>16 \| -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT/);
    expectFits(frame(), 160, 30);
  });

  it("n / p go to the next / previous finding; j / k scroll", async () => {
    const { press, frame } = await start({ height: 12 });
    await press(KEYS.enter);
    expect(frame()).toContain(":15:1");
    await press("n");
    expect(frame()).toContain(":16:1");
    await press("p");
    expect(frame()).toContain(":15:1");
    expect(frame()).toContain("HIGH exposed-service");
    await press("j", "j");
    expect(frame()).not.toContain("HIGH exposed-service");
    expectFits(frame(), 80, 12);
  });
});

describe("exposure map", () => {
  it("m shows destinations x services with the deciding rule; Enter opens the finding; Esc goes back", async () => {
    const { press, frame } = await start();
    await press("m");
    await vi.waitUntil(() => frame().includes("DECIDED BY"), SCAN_WAIT);
    const f = frame();
    expect(f).toContain("fwlint review - Exposure map");
    expect(f).toContain("  DESTINATION            SERVICE    PORTS       DECIDED BY");
    expect(f).toMatch(/! any\s+ssh\s+tcp\/22\s+line 15 -A INPUT/); // one file scanned: lines, not paths
    expect(f).toMatch(/! any\s+smtp\s+tcp\/25\s+line 16/);
    expect(f).toMatch(/ {2}any\s+-\s+icmp\/-\s+line 14/);
    expectFits(f);
    await press("j", KEYS.enter);
    expect(frame()).toContain(":16:1");
    expect(frame()).toContain("SMTP (tcp/25)");
    await press(KEYS.escape);
    expect(frame()).toContain("fwlint review - Exposure map");
    await press(KEYS.escape);
    expect(frame()).toContain("fwlint review - Findings");
  });

  it("a wide terminal also shows how much of the Internet reaches each row", async () => {
    const { press, frame } = await start({ width: 120, height: 30 });
    await press("m");
    await vi.waitUntil(() => frame().includes("DECIDED BY"), SCAN_WAIT);
    expect(frame()).toContain("PROTO/PORTS    FROM   DECIDED BY");
    expect(frame()).toMatch(/smtp\s+tcp\/25\s+any\s+line 16 -A INPUT -p tcp -m tcp --dport 25/);
  });
});

describe("trace prompt", () => {
  it("t opens it with the finding's example; Enter traces it: verdict and every step", async () => {
    const { press, frame } = await start();
    await press("j", "t");
    expect(frame()).toMatch(/packet> tcp 198\.51\.100\.7:40000 -> 10\.0\.0\.5:25 iif eth0/);
    await press(KEYS.enter);
    expect(frame()).toContain("tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0: ACCEPT");
    expect(frame()).toContain(`  1. ${relay}:16  filter INPUT\n     accept  -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT`);
    expectFits(frame());
  });

  it("typed packets: Ctrl-U clears, backspace edits, errors name the column; a dropped packet shows the policy", async () => {
    const { press, frame } = await start();
    await press("t", KEYS.ctrlU);
    expect(frame()).toMatch(/packet> ?\s*$/m);
    await press("tcp 1.2.3.4:5555 -> 10.0.0.5:143 iif eth0x", KEYS.backspace, KEYS.enter);
    expect(frame()).toContain("tcp 1.2.3.4:5555 -> 10.0.0.5:143 iif eth0: DROP");
    expect(frame()).toContain("policy DROP");
    await press(KEYS.ctrlU, "tcp 1.2.3.4:5555 -> 10.0.0.5 iif eth0", KEYS.enter);
    expect(frame()).toContain("column 21: expected a destination port for tcp");
    await press(KEYS.escape);
    expect(frame()).toContain("fwlint review - Findings");
  });

  it("a forward packet naming no egress interface leaves where the device's routes send it, as a note says", async () => {
    const asa = "levels.asa";
    copyFileSync(join(root, "fixtures", "cisco-asa", "security-levels.asa"), asa);
    const { press, frame } = await start({ initial: await scan({ paths: [asa], baselineFile: source.baselineFile }) });
    await press("t", KEYS.ctrlU, "tcp 192.168.20.5:5555 -> 192.168.10.5:22 iif guest hook forward", KEYS.enter);
    expect(frame()).toContain("tcp 192.168.20.5:5555 -> 192.168.10.5:22 iif guest oif inside hook forward: DROP");
    expect(frame()).toContain("(no egress interface given: the routes send 192.168.10.5 out of inside;");
    expectFits(frame());
  });
});

describe("more keys", () => {
  it("R re-scans now; PgDn / PgUp page the list; Left goes back from the detail", async () => {
    const { press, frame, rec } = await start({ height: 8 });
    await press("R");
    expect(rec.rescans).toBe(1);
    expect(frame()).toContain("re-scanned");
    await press("\x1b[6~");
    expect(selectedLine(frame())).toContain("SMTP");
    await press("\x1b[5~");
    expect(selectedLine(frame())).toContain("SSH");
    await press(KEYS.enter);
    expect(frame()).toContain("fwlint review - Finding ");
    await press("\x1b[D");
    expect(frame()).toContain("fwlint review - Findings");
  });

  it("keys that arrive in one read are commands in order; in the search line they are text", async () => {
    const { press, frame } = await start();
    await press("j\r");
    expect(frame()).toContain("fwlint review - Finding ");
    expect(frame()).toContain(":16:1");
    await press("\x1b", "/ssh\r");
    expect(frame()).toContain("/ssh  sort:severity");
    expect(frame()).not.toContain("SMTP");
  });

  it("Tab in the trace prompt picks the next scanned file", async () => {
    copyFileSync(join(root, "fixtures", "iptables", "nat-port-forward.rules"), "nat.rules");
    const initial = await scan({ paths: [relay, "nat.rules"], baselineFile: source.baselineFile });
    const { press, frame } = await start({ initial });
    await press("t");
    const first = /Ruleset: (\S+)/.exec(frame())![1];
    await press(KEYS.tab);
    const second = /Ruleset: (\S+)/.exec(frame())![1];
    expect([first, second].sort()).toEqual(["nat.rules", relay].sort());
    await press(KEYS.tab);
    expect(frame()).toContain(`Ruleset: ${first}`);
  });
});

describe("help and quitting", () => {
  it("? lists the keys; any key closes it", async () => {
    const { press, frame } = await start();
    await press("?");
    expect(frame()).toContain("fwlint review - Help");
    for (const k of ["/", "s", "r", "o", "a", "e", "m", "t", "R", "?", "q / Ctrl-C"]) expect(frame()).toMatch(new RegExp(`^  ${k.replace(/[?/]/g, "\\$&")}\\s`, "m"));
    expectFits(frame());
    await press("x");
    expect(frame()).toContain("fwlint review - Findings");
  });

  it("q quits (the app unmounts)", async () => {
    const { press, rec } = await start();
    expect(rec.unmounted).toBe(false);
    await press("q");
    expect(rec.unmounted).toBe(true);
  });
});

describe("actions", () => {
  it("a asks for a reason (required), Tab chooses comment or baseline, Enter records it and re-scans", async () => {
    const initial = await scan(source);
    const afterAccept: ScanResult = { ...initial, findings: initial.findings.filter((f) => f.finding.exposure?.service !== "smtp") };
    const { press, frame, rec } = await start({ initial, next: async () => afterAccept });
    await press("j", "a");
    expect(frame()).toContain(`Accept exposed-service at ${relay}:16, reason: _`);
    expect(frame()).toContain(`Writes a comment above ${relay}:16  Tab: comment/baseline`);
    await press(KEYS.enter);
    expect(frame()).toContain("a reason is required");
    expect(rec.accepted).toEqual([]);
    await press("relay for our own mail", KEYS.tab);
    expect(frame()).toContain("Writes the baseline baseline.json");
    await press(KEYS.tab);
    expect(frame()).toContain("Writes a comment above");
    await press(KEYS.enter);
    await vi.waitUntil(() => frame().includes("accepted: ") && frame().includes("high:1 "), SCAN_WAIT);
    expect(rec.accepted.map((a) => [a.item.finding.exposure?.service, a.reason, a.target])).toEqual([["smtp", "relay for our own mail", "comment"]]);
    expect(rec.rescans).toBe(1);
    expect(frame()).toContain(`accepted: suppression comment written at ${relay}:16`);
    expect(frame()).toContain("high:1  1 finding in 1 file");
    expect(frame()).not.toContain("SMTP (tcp/25)");
    expect(selectedLine(frame())).toContain("SSH");
  });

  it("Esc cancels the accept dialog without writing", async () => {
    const { press, frame, rec } = await start();
    await press("a", "x", KEYS.escape);
    expect(rec.accepted).toEqual([]);
    expect(frame()).not.toContain("reason:");
  });

  it("e opens the editor at the finding's line, then re-scans", async () => {
    const { press, frame, rec } = await start();
    await press("j", "e");
    await vi.waitUntil(() => frame().includes("re-scanned"), SCAN_WAIT);
    expect(rec.edited).toEqual([{ file: relay, line: 16 }]);
    expect(rec.rescans).toBe(1);
    expect(frame()).toContain("back from the editor; re-scanned");
  });

  it("a change on disk re-scans and keeps the selection on the same finding although its line moved", async () => {
    const initial = await scan(source);
    const moved = "moved.rules";
    const { readFileSync } = await import("node:fs");
    const { press, frame, rec } = await start({
      initial,
      next: async () => {
        writeFileSync(moved, `# a new first line\n${readFileSync(relay, "utf8")}`);
        const s = await scan({ ...source, paths: [moved] });
        // Same file name as before, so the findings keep their identity.
        for (const f of s.findings) f.key = f.key.replace(JSON.stringify(moved), JSON.stringify(relay));
        return s;
      },
    });
    await press("j");
    expect(selectedLine(frame())).toContain("line 16  SMTP");
    rec.onChange!();
    await vi.waitUntil(() => frame().includes("re-scanned"), SCAN_WAIT);
    expect(frame()).toContain("re-scanned: a file changed on disk");
    expect(selectedLine(frame())).toContain("line 17  SMTP");
  });
});

describe("terminal safety and colour", () => {
  it("a malicious comment cannot move the cursor, retitle the terminal or hide lines", async () => {
    // A shell script: its comments and rule comments are shown raw in the source excerpt and the trace.
    const evil = "evil.sh";
    const payload = "\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b[1A\rFAKE OK\b\b\x1b[8m";
    writeFileSync(
      evil,
      ["#!/bin/sh", `# ${payload}`, "iptables -P INPUT DROP", "iptables -P FORWARD DROP", `iptables -A INPUT -p tcp --dport 25 -m comment --comment "${payload}" -j ACCEPT`, ""].join("\n"),
    );
    const initial = await scan({ paths: [evil], baselineFile: source.baselineFile });
    expect(initial.findings.length).toBeGreaterThan(0);
    const { press, frame } = await start({ initial });
    const frames: string[] = [frame()];
    await press(KEYS.enter);
    frames.push(frame());
    await press("t", KEYS.enter);
    frames.push(frame());
    await press(KEYS.escape, "m");
    await vi.waitUntil(() => frame().includes("DECIDED BY"), SCAN_WAIT);
    frames.push(frame());
    const all = frames.join("\n");
    expect(all).toContain("\\x1b]0;pwned\\x07\\x1b[2J"); // shown, visibly escaped
    expect(all).toContain("\\rFAKE OK\\x08\\x08");
    // Nothing but ink's own styling (SGR ... m) may reach the terminal as an escape sequence.
    const withoutStyling = all.replace(/\x1b\[[0-9;]*m/g, "");
    // eslint-disable-next-line no-control-regex
    expect(withoutStyling).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });

  it("without colour (NO_COLOR, --no-color) severities get no colour", () => {
    expect(severityColor({ color: false }, "high")).toEqual({});
    expect(severityColor({ color: true }, "high")).toEqual({ color: "red" });
  });
});

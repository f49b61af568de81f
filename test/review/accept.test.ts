/**
 * Accepting a finding writes what the checker honours: a suppression comment above the rule (the
 * finding is gone on the next analysis), or a baseline entry (BaselineFilter hides it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BaselineFilter, loadBaseline } from "../../src/engine/baseline.js";
import { analyzeText } from "../../src/engine/check.js";
import { cleanReason, planSuppressionComment } from "../../src/review/accept.js";
import { acceptFinding, canComment, editorCommand } from "../../src/review/actions.js";
import { scan } from "../../src/review/session.js";

const root = join(import.meta.dirname, "..", "..");
const fixture = readFileSync(join(root, "fixtures", "iptables", "open-relay.rules"), "utf8");
const tmp = mkdtempSync(join(tmpdir(), "fwlint-review-accept-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const smtpOf = (path: string, text: string) => analyzeText(path, text).findings.find((f) => f.exposure?.service === "smtp");

describe("suppression comment", () => {
  it("goes above the rule, indented like it, and the checker then drops the finding (and only it)", () => {
    const smtp = smtpOf("f.rules", fixture)!;
    expect(smtp.location.line).toBe(16);
    const plan = planSuppressionComment(fixture, "iptables", 16, smtp.ruleId, "relay for the school's own mail\tonly");
    if (!plan.ok) throw new Error(plan.why);
    const lines = plan.text.split("\n");
    expect(lines[15]).toBe("# fwlint-disable-next-line exposed-service -- relay for the school's own mail only");
    expect(lines[16]).toBe("-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT");
    const after = analyzeText("f.rules", plan.text);
    expect(after.findings.some((f) => f.exposure?.service === "smtp")).toBe(false);
    expect(after.findings.some((f) => f.exposure?.service === "ssh")).toBe(true);
    expect(after.file.diagnostics.filter((d) => d.message.includes("fwlint-disable"))).toEqual([]);
  });

  it("keeps indentation and CRLF line ends in a shell script", () => {
    const script = "#!/bin/sh\r\nif true; then\r\n  iptables -A INPUT -p tcp --dport 25 -j ACCEPT\r\nfi\r\n";
    const plan = planSuppressionComment(script, "iptables-script", 3, "exposed-service", "ok");
    expect(plan.ok && plan.text.split("\n")[2]).toBe("  # fwlint-disable-next-line exposed-service -- ok\r");
  });

  it("is refused where the checker would not honour it: no reason, a continued line, a format without # comments", () => {
    expect(planSuppressionComment(fixture, "iptables", 16, "exposed-service", " \x1b\n ")).toEqual({ ok: false, why: "a reason is required" });
    const continued = "#!/bin/sh\niptables -A INPUT -p tcp \\\n  --dport 25 -j ACCEPT\n";
    expect(planSuppressionComment(continued, "iptables-script", 3, "exposed-service", "ok")).toMatchObject({ ok: false, why: expect.stringContaining("continues line 2") });
    expect(planSuppressionComment(fixture, "juniper-json", 16, "exposed-service", "ok")).toMatchObject({ ok: false, why: expect.stringContaining("no '#' comments") });
  });

  it("a reason is one line of plain text", () => {
    expect(cleanReason("a\nb\x1b]0;title\x07 c\u202e")).toBe("a b ]0;title c");
  });
});

describe("accepting through the review's actions", () => {
  it("comment: written into the file, and the next scan no longer lists the finding", async () => {
    const file = join(tmp, "comment.rules");
    writeFileSync(file, fixture);
    const source = { paths: [file], baselineFile: join(tmp, "none.json") };
    const before = await scan(source);
    const item = before.findings.find((f) => f.finding.exposure?.service === "smtp")!;
    expect(canComment(item)).toBeUndefined();
    expect(acceptFinding(item, "relay restricted upstream", "comment", source.baselineFile)).toBe(`suppression comment written at ${file}:16`);
    expect(readFileSync(file, "utf8")).toContain("# fwlint-disable-next-line exposed-service -- relay restricted upstream\n-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT\n");
    const after = await scan(source);
    expect(after.findings.map((f) => f.finding.exposure?.service)).toEqual(["ssh"]);
  });

  it("comment: refused when the file changed since the scan", async () => {
    const file = join(tmp, "changed.rules");
    writeFileSync(file, fixture);
    const source = { paths: [file], baselineFile: join(tmp, "none.json") };
    const item = (await scan(source)).findings.find((f) => f.finding.exposure?.service === "smtp")!;
    writeFileSync(file, `# one more line\n${fixture}`);
    expect(() => acceptFinding(item, "ok", "comment", source.baselineFile)).toThrow(/changed since it was scanned/);
  });

  it("baseline: an entry is added (others kept), the file is untouched, and the next scan hides the finding", async () => {
    const file = join(tmp, "baseline.rules");
    writeFileSync(file, fixture);
    const baselineFile = join(tmp, "accepted.json");
    const source = { paths: [file], baselineFile };
    const first = await scan(source);
    const ssh = first.findings.find((f) => f.finding.exposure?.service === "ssh")!;
    const smtp = first.findings.find((f) => f.finding.exposure?.service === "smtp")!;
    acceptFinding(ssh, "bastion", "baseline", baselineFile);
    expect(acceptFinding(smtp, "mail relay", "baseline", baselineFile)).toBe(`added to the baseline ${baselineFile}`);
    expect(readFileSync(file, "utf8")).toBe(fixture);
    const baseline = loadBaseline(baselineFile);
    expect(baseline.findings.map((e) => e.exposure?.service).sort()).toEqual(["smtp", "ssh"]);
    expect(baseline.findings.find((e) => e.exposure?.service === "smtp")!.message).toContain("(accepted: mail relay)");
    const filter = new BaselineFilter(baselineFile, baseline);
    expect(filter.filter(analyzeText(file, fixture).findings)).toEqual([]);
    const after = await scan(source);
    expect(after.findings).toEqual([]);
    expect(after.baselineHidden).toBe(2);
  });
});

describe("editor command", () => {
  it("puts the line where each editor family takes it", () => {
    expect(editorCommand({ EDITOR: "vim" }, "a.rules", 16)).toEqual({ command: "vim", args: ["+16", "a.rules"] });
    expect(editorCommand({ VISUAL: "code -w", EDITOR: "vi" }, "a.rules", 16)).toEqual({ command: "code", args: ["-w", "-g", "a.rules:16"] });
    expect(editorCommand({ EDITOR: "/usr/bin/hx" }, "a.rules", 3)).toEqual({ command: "/usr/bin/hx", args: ["a.rules:3"] });
    expect(editorCommand({}, "a.rules", 2)).toEqual({ command: "vi", args: ["+2", "a.rules"] });
    expect(editorCommand({ EDITOR: "someeditor" }, "a.rules", 2)).toEqual({ command: "someeditor", args: ["a.rules"] });
  });
});

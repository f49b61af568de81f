import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeText, FWLINT_VERSION } from "../../src/engine/check.js";
import type { Finding, Report, Severity } from "../../src/model/finding.js";
import { buildReport } from "../../src/report/json.js";
import { annotationKind, escapeData, escapeProperty, renderGithub, workflowCommand } from "../../src/report/github.js";
import { fileReport, shadowFinding, smtpFinding } from "../cli/fixtures.js";

function report(findings: Finding[], files = [fileReport()]): Report {
  return { version: 1, tool: { name: "fwlint", version: "0.1.0" }, files, findings };
}

/** Splits a workflow command back into kind, properties and message, unescaping as the runner does. */
function parseCommand(line: string): { kind: string; props: Record<string, string>; message: string } {
  const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
  const unProp = (s: string) => unData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? "").split(",").filter(Boolean)) {
    const i = kv.indexOf("=");
    props[kv.slice(0, i)] = unProp(kv.slice(i + 1));
  }
  return { kind: m[1]!, props, message: unData(m[3]!) };
}

const lines = (out: string): string[] => out.replace(/\n$/, "").split("\n");

describe("GitHub escaping", () => {
  it("escapes data like @actions/core", () => {
    expect(escapeData("100% a\r\nb:c,d")).toBe("100%25 a%0D%0Ab:c,d");
  });
  it("escapes properties like @actions/core", () => {
    expect(escapeProperty("100% a\r\nb:c,d")).toBe("100%25 a%0D%0Ab%3Ac%2Cd");
  });
  it("escapes % before the other escapes (no double escaping)", () => {
    expect(escapeProperty("%3A:")).toBe("%253A%3A");
  });
  it("builds a command without properties", () => {
    expect(workflowCommand("notice", {}, "hi")).toBe("::notice::hi");
  });
});

describe("GitHub reporter", () => {
  it("writes one annotation per finding with file, line, col, title and a multi-line message", () => {
    const out = lines(renderGithub(report([smtpFinding()])));
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(
      "::error file=rules.v4,line=9,col=1,title=fwlint exposed-service (high)::" +
        "SMTP (tcp/25) is reachable from any source on the inbound path" +
        "%0Ae.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0" +
        "%0Adecided by: filter INPUT rules.v4:9 accept: -p tcp --dport 25 -j ACCEPT",
    );
    expect(out[1]).not.toMatch(/^::/);
    expect(out[1]).toContain("1 finding");
  });

  it("maps severities to error, warning and notice", () => {
    expect((["critical", "high", "medium", "low", "info"] as Severity[]).map(annotationKind)).toEqual([
      "error",
      "error",
      "warning",
      "notice",
      "notice",
    ]);
    const out = lines(
      renderGithub(
        report([
          shadowFinding({ severity: "info" }),
          smtpFinding({ severity: "medium" }),
          shadowFinding(),
          smtpFinding({ severity: "critical" }),
        ]),
      ),
    );
    expect(out.slice(0, 4).map((l) => parseCommand(l).kind)).toEqual(["error", "warning", "notice", "notice"]);
    expect(out.slice(0, 4).map((l) => parseCommand(l).props.title)).toEqual([
      "fwlint exposed-service (critical)",
      "fwlint exposed-service (medium)",
      "fwlint shadowed-rule (low)",
      "fwlint shadowed-rule (info)",
    ]);
  });

  it("orders most severe first, then file and line", () => {
    const out = lines(
      renderGithub(
        report([
          shadowFinding({ location: { file: "a.rules", line: 1, column: 1 } }),
          smtpFinding({ location: { file: "b.rules", line: 5, column: 1 } }),
          smtpFinding({ location: { file: "a.rules", line: 7, column: 1 } }),
          smtpFinding({ location: { file: "a.rules", line: 3, column: 1 } }),
          smtpFinding({ severity: "critical", location: { file: "z.rules", line: 99, column: 1 } }),
        ]),
      ),
    );
    expect(out.slice(0, -1).map((l) => {
      const { props } = parseCommand(l);
      return `${props.title} ${props.file}:${props.line}`;
    })).toEqual([
      "fwlint exposed-service (critical) z.rules:99",
      "fwlint exposed-service (high) a.rules:3",
      "fwlint exposed-service (high) a.rules:7",
      "fwlint exposed-service (high) b.rules:5",
      "fwlint shadowed-rule (low) a.rules:1",
    ]);
  });

  it("escapes %, colon and comma in file names and %, newline in messages", () => {
    const f = smtpFinding({
      location: { file: "C:/fw,prod/100%.rules", line: 3, column: 2 },
      message: "50% of: a, b",
      witness: undefined,
      trace: undefined,
    });
    const out = lines(renderGithub(report([f])));
    expect(out[0]).toBe("::error file=C%3A/fw%2Cprod/100%25.rules,line=3,col=2,title=fwlint exposed-service (high)::50%25 of: a, b");
    const parsed = parseCommand(out[0]!);
    expect(parsed.props.file).toBe("C:/fw,prod/100%.rules");
    expect(parsed.message).toBe("50% of: a, b");
  });

  it("escapes a colon and comma in the rule id (title)", () => {
    const out = lines(renderGithub(report([shadowFinding({ ruleId: "x:y,z" })])));
    expect(out[0]).toContain("title=fwlint x%3Ay%2Cz (low)::");
  });

  it("keeps config-derived line breaks and escapes from starting commands of their own", () => {
    const f = smtpFinding({
      location: { file: "evil\n::warning::x.rules", line: 1, column: 1 },
      message: "comment \x1b[2J\r\n::add-mask::secret",
      trace: [{ table: "filter", chain: "IN\nPUT", rule: "-j ACCEPT\r\n::error::forged", line: 1, file: "a", action: "accept" }],
    });
    const out = renderGithub(report([f]));
    expect(lines(out)).toHaveLength(2);
    expect(out).not.toContain("\x1b");
    expect(out).not.toContain("\r");
    const parsed = parseCommand(lines(out)[0]!);
    // Our own line breaks survive as real (escaped) newlines; the config's are shown as visible escapes.
    expect(parsed.message.split("\n")).toEqual([
      "comment \\x1b[2J\\r\\n::add-mask::secret",
      "e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0",
      "decided by: filter IN\\nPUT a:1 accept: -j ACCEPT\\r\\n::error::forged",
    ]);
    expect(parsed.props.file).toBe("evil\\n::warning::x.rules");
  });

  it("lists every trace step when there are several", () => {
    const f = smtpFinding({
      trace: [
        { table: "filter", chain: "INPUT", rule: "-A INPUT -j SERVICES", line: 5, file: "r", action: "jump" },
        { table: "filter", chain: "SERVICES", rule: "-A SERVICES -p tcp --dport 25 -j ACCEPT", line: 9, file: "r", action: "accept" },
      ],
    });
    const { message } = parseCommand(lines(renderGithub(report([f])))[0]!);
    expect(message.split("\n").slice(2)).toEqual([
      "decided by:",
      "  filter INPUT r:5 jump: -A INPUT -j SERVICES",
      "  filter SERVICES r:9 accept: -A SERVICES -p tcp --dport 25 -j ACCEPT",
    ]);
  });

  it("annotates at most 10 of each kind and says how many more were left out", () => {
    const findings = Array.from({ length: 25 }, (_, i) => smtpFinding({ location: { file: "rules.v4", line: i + 1, column: 1 } }));
    const out = lines(renderGithub(report(findings)));
    expect(out).toHaveLength(11);
    expect(out.slice(0, 10).every((l) => l.startsWith("::error "))).toBe(true);
    expect(out.slice(0, 10).map((l) => parseCommand(l).props.line)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    const summary = out[10]!;
    expect(summary).not.toMatch(/^::/);
    expect(summary).toContain("25 findings");
    expect(summary).toContain("15 more errors");
    expect(summary).toContain("15 in total");
  });

  it("caps each kind separately and keeps the most severe of a kind", () => {
    const findings = [
      ...Array.from({ length: 12 }, (_, i) => smtpFinding({ location: { file: "a", line: i + 1, column: 1 } })),
      ...Array.from({ length: 3 }, (_, i) => smtpFinding({ severity: "critical", location: { file: "z", line: i + 1, column: 1 } })),
      ...Array.from({ length: 11 }, (_, i) => smtpFinding({ severity: "medium", location: { file: "a", line: i + 1, column: 1 } })),
      ...Array.from({ length: 4 }, (_, i) => shadowFinding({ location: { file: "a", line: i + 1, column: 1 } })),
    ];
    const out = lines(renderGithub(report(findings)));
    const cmds = out.slice(0, -1).map(parseCommand);
    expect(cmds.filter((c) => c.kind === "error")).toHaveLength(10);
    expect(cmds.filter((c) => c.kind === "warning")).toHaveLength(10);
    expect(cmds.filter((c) => c.kind === "notice")).toHaveLength(4);
    expect(cmds.slice(0, 3).every((c) => c.props.title === "fwlint exposed-service (critical)")).toBe(true);
    const summary = out.at(-1)!;
    expect(summary).toContain("30 findings");
    expect(summary).toContain("5 more errors, 1 more warning, 0 more notices");
    expect(summary).toContain("6 in total");
  });

  it("turns file errors into ::error lines counted in the same limit", () => {
    const files = [
      fileReport({
        path: "broken,1.rules",
        diagnostics: [
          { severity: "error", message: "could not be parsed: bad", file: "broken,1.rules", line: 4, column: 7 },
          { severity: "warning", message: "unknown match", file: "broken,1.rules", line: 5, column: 1 },
        ],
      }),
    ];
    const findings = Array.from({ length: 10 }, (_, i) => smtpFinding({ location: { file: "rules.v4", line: i + 1, column: 1 } }));
    const out = lines(renderGithub(report(findings, files)));
    expect(out[0]).toBe("::error file=broken%2C1.rules,line=4,col=7,title=fwlint file error::could not be parsed: bad");
    expect(out.filter((l) => l.startsWith("::error "))).toHaveLength(10);
    expect(out.at(-1)).toContain("1 more error");
    expect(out.at(-1)).toContain("1 file error");
  });

  it("accepts a custom limit", () => {
    const out = lines(renderGithub(report([smtpFinding(), smtpFinding()]), { maxPerKind: 1 }));
    expect(out).toHaveLength(2);
    expect(out[1]).toContain("1 more error");
  });

  it("still writes a summary line with no findings", () => {
    expect(renderGithub(report([]))).toBe("fwlint: 0 findings, 0 file errors; annotated 0 errors, 0 warnings, 0 notices; not annotated: none\n");
  });

  it("annotates real findings from the open-relay fixture", () => {
    const path = "fixtures/iptables/open-relay.rules";
    const text = readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), "utf8");
    const result = analyzeText(path, text);
    const out = lines(renderGithub(buildReport(FWLINT_VERSION, [result.file], result.findings)));
    const smtp = out.map((l) => (l.startsWith("::") ? parseCommand(l) : undefined)).find((c) => c?.message.startsWith("SMTP"));
    expect(smtp).toBeDefined();
    expect(smtp!.kind).toBe("error");
    expect(smtp!.props).toMatchObject({ file: path, line: "16", col: "1", title: "fwlint exposed-service (high)" });
    const msg = smtp!.message.split("\n");
    expect(msg[1]).toMatch(/^e\.g\. tcp \S+:\d+ -> \S+:25 iif \S+$/);
    expect(msg[2]).toBe(`decided by: filter INPUT ${path}:16 accept: -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT`);
    expect(out.at(-1)).toContain(`${result.findings.length} finding`);
  });
});

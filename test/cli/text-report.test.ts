import { describe, expect, it } from "vitest";
import { describeWitness, renderText, sourceExcerpt, summaryLine } from "../../src/report/text.js";
import { fileReport, shadowFinding, smtpFinding } from "./fixtures.js";

describe("text reporter", () => {
  it("lays out a finding: header, source with caret, witness, trace", () => {
    const out = renderText({ files: [fileReport()], findings: [smtpFinding()] }, { color: false });
    expect(out).toBe(
      [
        "rules.v4:9:1 high exposed-service SMTP (tcp/25) is reachable from any source on the inbound path",
        "  9 | -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT",
        "    | ^",
        "  e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0",
        "  decided by:",
        "    filter INPUT rules.v4:9 accept",
        "",
        "1 finding (1 high) in 1 file",
        "",
      ].join("\n"),
    );
  });

  it("shows a trace step at a chain's policy as the policy, not as a rule's verdict", () => {
    const trace = [
      { table: "filter", chain: "INPUT", rule: "-j LOG", line: 8, file: "rules.v4", action: "log" },
      { table: "filter", chain: "INPUT", rule: "policy ACCEPT", line: 2, file: "rules.v4", action: "accept" },
    ];
    const out = renderText({ files: [fileReport()], findings: [smtpFinding({ trace })] }, { color: false });
    expect(out).toContain("  decided by:\n    filter INPUT rules.v4:8 log\n    filter INPUT rules.v4:2 policy accept\n");
    // a JunOS security policy is a rule, whatever its name
    const junos = [{ table: "security policies", chain: "from-zone trust to-zone untrust", title: "security policies from-zone trust to-zone untrust", rule: "policy good-term-5 {", line: 16, file: "srx.conf", action: "accept" }];
    const srx = renderText({ files: [fileReport()], findings: [smtpFinding({ trace: junos })] }, { color: false });
    expect(srx).toContain("  decided by:\n    security policies from-zone trust to-zone untrust srx.conf:16 accept\n");
  });

  it("names a vendor list in the trace as the device does, when the step has its title", () => {
    const trace = [
      { table: "ip access-list", chain: "access-group in", rule: "ip access-group EDGE in", line: 3, file: "r.ios", action: "jump EDGE" },
      { table: "ip access-list", chain: "EDGE", title: "access-list EDGE", rule: "30 permit tcp any any eq smtp", line: 7, file: "r.ios", action: "accept" },
    ];
    const out = renderText({ files: [fileReport()], findings: [smtpFinding({ trace })] }, { color: false });
    expect(out).toContain("  decided by:\n    ip access-list access-group in r.ios:3 jump EDGE\n    access-list EDGE r.ios:7 accept\n");
  });

  it("shows related locations and the uncertain note", () => {
    const out = renderText(
      { files: [fileReport()], findings: [shadowFinding({ uncertain: ["-m limit rate limit", "-m mark"] })] },
      { color: false },
    );
    expect(out).toContain("rules.v4:12:1 low shadowed-rule this rule never matches");
    expect(out).toContain("  related:\n    rules.v4:10:1 accepts every packet this rule matches\n");
    expect(out).toContain("  uncertain: depends on what fwlint does not model: -m limit rate limit; -m mark\n");
  });

  it("cuts a long list of related locations, counting the rest (the JSON report has them all)", () => {
    const related = Array.from({ length: 30 }, (_, i) => ({ file: "rules.v4", line: i + 1, column: 1, message: "decides the common packets first (DROP)" }));
    const out = renderText({ files: [fileReport()], findings: [shadowFinding({ related })] }, { color: false });
    expect(out).toContain("    rules.v4:9:1 decides the common packets first (DROP)\n    ... and 21 more (the JSON report lists them all)\n");
    expect(out).not.toContain("rules.v4:10:1 decides");
    // ten or fewer: every one
    const ten = renderText({ files: [fileReport()], findings: [shadowFinding({ related: related.slice(0, 10) })] }, { color: false });
    expect(ten).toContain("rules.v4:10:1 decides the common packets first (DROP)\n");
    expect(ten).not.toContain("more (the JSON report");
  });

  it("prints a very long message (a huge token quoted back) by its two ends, saying how much is left out", () => {
    const token = "x".repeat(100_000);
    const diag = { severity: "warning" as const, message: `unexpected '${token}' in the access-list entry`, file: "edge.asa", line: 5, column: 59 };
    const out = renderText(
      { files: [fileReport({ diagnostics: [diag] })], findings: [shadowFinding({ message: `rule ${token} never matches`, uncertain: [`unparsed '${token}'`] })] },
      { color: false },
    );
    for (const line of out.split("\n")) expect(line.length).toBeLessThan(520);
    expect(out).toContain(`edge.asa:5:59: warning: unexpected '${"x".repeat(188)}... (99,638 characters left out) ...${"x".repeat(174)}' in the access-list entry`);
    expect(out).toContain("characters left out) ...xxx");
    // a message within the limit is printed whole
    expect(renderText({ files: [fileReport({ diagnostics: [{ ...diag, message: "short" }] })], findings: [] }, { color: false })).toContain("edge.asa:5:59: warning: short\n");
  });

  it("puts the caret under the column, with a gutter as wide as the line number", () => {
    expect(sourceExcerpt(123, "-A INPUT -p tcp --dport 25 -j ACCEPT", 10)).toEqual([
      "  123 | -A INPUT -p tcp --dport 25 -j ACCEPT",
      "      |          ^",
    ]);
    // tabs stay tabs so the caret lines up at any tab width
    expect(sourceExcerpt(1, "\t-A INPUT", 2)[1]).toBe("    | \t^");
    // a column past the end points just after the last character
    expect(sourceExcerpt(1, "ab", 99)[1]).toBe("    |   ^");
  });

  it("cuts a very long line around the column first: the same window, whatever the line's length", () => {
    const middle = '{"name": "r7", "priority": 107}';
    const pad = (n: number) => `{"x": "${"y".repeat(n)}"}, `;
    const short = `${pad(300)}${middle}, ${pad(300)}`;
    const long = `${pad(1_000_000)}${pad(300)}${middle}, ${pad(300)}${pad(1_000_000)}`;
    const col = (line: string) => line.indexOf(middle) + 1;
    const a = sourceExcerpt(1, short, col(short));
    const b = sourceExcerpt(1, long, col(long));
    expect(b).toEqual(a);
    expect(b[0]).toMatch(/^ {2}1 \| \.\.\.y+"\}, \{"name": "r7", "priority": 107\}, .*\.\.\.$/);
    // a column near either end of a long line keeps the ends unmarked there
    expect(sourceExcerpt(1, long, 1)[0]).toMatch(/^ {2}1 \| \{"x": "y+\.\.\.$/);
    expect(sourceExcerpt(1, long, long.length)[0]).toMatch(/^ {2}1 \| \.\.\.y+"\},$/);
    // an astral character split by the cut is not shown as half a character
    const astral = `${"\u{1F525}".repeat(5000)}${middle}${"\u{1F525}".repeat(5000)}`;
    expect(sourceExcerpt(1, astral, astral.indexOf(middle) + 1)[0]).not.toMatch(/[\ud800-\udfff](?![\udc00-\udfff])/u);
  });

  it("describes ICMP, IPv6 and forwarded witnesses", () => {
    expect(
      describeWitness({ family: 4, proto: "icmp", src: "198.51.100.7", dst: "10.0.0.5", icmp_type: 8, icmp_code: 0, iif: "eth0", hook: "input" }),
    ).toBe("icmp 198.51.100.7 -> 10.0.0.5 type 8 code 0 iif eth0");
    expect(
      describeWitness({ family: 6, proto: "tcp", src: "2001:db8::7", dst: "2001:db8::5", sport: 40000, dport: 22, iif: "eth0", oif: "eth1", hook: "forward" }),
    ).toBe("tcp [2001:db8::7]:40000 -> [2001:db8::5]:22 iif eth0 oif eth1");
  });

  it("prints diagnostics as file:line:col: severity: message, merged by line", () => {
    const out = renderText(
      {
        files: [
          fileReport({
            diagnostics: [
              { severity: "warning", message: "unknown match -m foo", file: "rules.v4", line: 3, column: 12 },
              { severity: "error", message: "bad address", file: "rules.v4", line: 20, column: 5 },
            ],
          }),
        ],
        findings: [smtpFinding()],
      },
      { color: false },
    );
    const lines = out.split("\n");
    expect(lines[0]).toBe("rules.v4:3:12: warning: unknown match -m foo");
    expect(lines[1]).toBe("");
    expect(lines[2]).toMatch(/^rules.v4:9:1 high /);
    expect(out).toContain("rules.v4:20:5: error: bad address\n");
    expect(out.trimEnd().split("\n").at(-1)).toBe("1 finding (1 high) in 1 file; 1 file with errors");
  });

  it("sorts findings of a file by line and keeps files in the order checked", () => {
    const out = renderText(
      {
        files: [fileReport({ path: "b.rules" }), fileReport({ path: "a.rules" })],
        findings: [
          smtpFinding({ location: { file: "a.rules", line: 2, column: 1 } }),
          shadowFinding({ location: { file: "b.rules", line: 9, column: 1 } }),
          smtpFinding({ location: { file: "b.rules", line: 4, column: 1 }, severity: "critical" }),
        ],
      },
      { color: false },
    );
    const headers = out.split("\n").filter((l) => /^\S+:\d+:\d+ /.test(l));
    expect(headers.map((h) => h.split(" ")[0])).toEqual(["b.rules:4:1", "b.rules:9:1", "a.rules:2:1"]);
  });

  it("summarises counts per severity, files and files with errors", () => {
    expect(
      summaryLine({
        files: [fileReport({ path: "a" }), fileReport({ path: "b" })],
        findings: [smtpFinding({ severity: "critical" }), smtpFinding(), smtpFinding()],
        failed: [{ path: "c", message: "empty file" }],
      }),
    ).toBe("3 findings (1 critical, 2 high) in 3 files; 1 file with errors");
    expect(summaryLine({ files: [fileReport()], findings: [] })).toBe("no findings in 1 file");
  });

  it("colours severity and rule id only when asked", () => {
    const plain = renderText({ files: [fileReport()], findings: [smtpFinding()] }, { color: false });
    expect(plain).not.toContain("\x1b");
    const coloured = renderText({ files: [fileReport()], findings: [smtpFinding()] }, { color: true });
    expect(coloured).toContain("\x1b[31mhigh\x1b[0m");
    expect(coloured).toContain("\x1b[90mexposed-service\x1b[0m");
  });

  it("neutralises escape sequences from the config in messages, source lines, trace and related", () => {
    const evil = "\x1b[2J\x1b]0;pwned\x07";
    const out = renderText(
      {
        files: [fileReport({ diagnostics: [{ severity: "warning", message: `odd comment ${evil}`, file: "rules.v4", line: 1, column: 1 }] })],
        findings: [
          smtpFinding({
            message: `SMTP exposed ${evil}`,
            sourceLine: `-A INPUT -m comment --comment "${evil}" -p tcp --dport 25 -j ACCEPT`,
            location: { file: "rules.v4", line: 9, column: 40 },
            trace: [{ table: "filter", chain: `IN${evil}`, rule: "x", line: 9, file: "rules.v4", action: `accept${evil}` }],
          }),
          shadowFinding({ related: [{ file: `r\x1b.v4`, line: 1, column: 1, message: evil }] }),
        ],
      },
      { color: false },
    );
    expect(out).not.toContain("\x1b");
    expect(out).not.toContain("\x07");
    expect(out).toContain('--comment "\\x1b[2J\\x1b]0;pwned\\x07"');
    expect(out).toContain("SMTP exposed \\x1b[2J");
  });

  it("keeps the caret under the column when escapes widen the line", () => {
    const [src, caret] = sourceExcerpt(1, "a\x1bb", 3);
    expect(src).toBe("  1 | a\\x1bb");
    expect(caret).toBe("    |      ^");
  });

  it("shows a window around the column of a very long line (nft -j prints a ruleset on one line)", () => {
    const line = `${"a".repeat(1000)}X${"b".repeat(1000)}`;
    const [src, caret] = sourceExcerpt(1, line, 1001);
    expect(src).toBe(`  1 | ...${"a".repeat(60)}X${"b".repeat(99)}...`);
    expect(caret!.indexOf("^")).toBe(src!.indexOf("X"));
    // near either end, no cut on that side
    const [start, startCaret] = sourceExcerpt(1, line, 2);
    expect(start).toBe(`  1 | ${"a".repeat(160)}...`);
    expect(startCaret).toBe("    |  ^");
    const [end, endCaret] = sourceExcerpt(1, line, 2001);
    expect(end).toBe(`  1 | ...${"b".repeat(160)}`);
    expect(endCaret!.indexOf("^")).toBe(end!.length - 1);
  });
});

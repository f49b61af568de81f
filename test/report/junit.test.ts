import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeText, FWLINT_VERSION } from "../../src/engine/check.js";
import type { Finding, Report } from "../../src/model/finding.js";
import { buildReport } from "../../src/report/json.js";
import { escapeXmlAttr, escapeXmlText, renderJunit, shorten, stripIllegalXml } from "../../src/report/junit.js";
import { fileReport, shadowFinding, smtpFinding } from "../cli/fixtures.js";

function report(findings: Finding[], files = [fileReport()]): Report {
  return { version: 1, tool: { name: "fwlint", version: "0.1.0" }, files, findings };
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A small strict XML parser, enough for the reporter's output: an XML declaration, elements,
 * attributes in double quotes, text, the five predefined entities and numeric character references.
 * Throws on anything else (mismatched tags, a raw `<` or `&`, duplicate attributes, illegal characters,
 * trailing content).
 */
function parseXml(xml: string): XmlElement {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)) throw new Error("illegal XML 1.0 character");
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${pos}: ${JSON.stringify(xml.slice(pos, pos + 40))}`);
  };
  const ENT: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  const decode = (s: string): string => {
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) fail("bad entity");
    return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, e: string) =>
      e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : ENT[e]!,
    );
  };
  const NAME = /[A-Za-z_][\w.-]*/y;
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(xml) ?? fail("expected a name");
    pos = NAME.lastIndex;
    return m[0];
  };
  const ws = (): void => {
    while (/\s/.test(xml[pos] ?? "")) pos++;
  };
  const element = (): XmlElement => {
    if (xml[pos] !== "<") fail("expected <");
    pos++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      const before = pos;
      ws();
      if (xml.startsWith("/>", pos)) {
        pos += 2;
        return el;
      }
      if (xml[pos] === ">") {
        pos++;
        break;
      }
      if (pos === before) fail("expected whitespace before an attribute");
      const key = name();
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      if (xml[pos] !== "=" || xml[pos + 1] !== '"') fail("expected =\"");
      const end = xml.indexOf('"', pos + 2);
      if (end < 0) fail("unterminated attribute");
      const raw = xml.slice(pos + 2, end);
      if (raw.includes("<")) fail("< in attribute");
      el.attrs[key] = decode(raw);
      pos = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf("<", pos);
      if (lt < 0) fail("unclosed element " + el.name);
      el.text += decode(xml.slice(pos, lt));
      pos = lt;
      if (xml.startsWith("</", pos)) {
        pos += 2;
        if (name() !== el.name) fail(`mismatched close tag for ${el.name}`);
        ws();
        if (xml[pos] !== ">") fail("expected >");
        pos++;
        return el;
      }
      el.children.push(element());
    }
  };
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml) ?? fail("missing XML declaration");
  pos = decl[0].length;
  const root = element();
  ws();
  if (pos !== xml.length) fail("content after the root element");
  return root;
}

const readFixture = (path: string): string => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), "utf8");

describe("XML helpers", () => {
  it("escapes the five special characters", () => {
    expect(escapeXmlText(`a & b < c > d "e" 'f'`)).toBe("a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;");
  });
  it("removes characters XML 1.0 forbids and keeps tab, newline, CR", () => {
    expect(stripIllegalXml("a\u0000b\u0007c\u001bd\te\nf\rg\uffffh\ud800i")).toBe("abcd\te\nf\rghi");
    expect(stripIllegalXml("😀")).toBe("😀");
  });
  it("keeps line breaks in attributes as character references", () => {
    expect(escapeXmlAttr("a\nb\tc")).toBe("a&#10;b&#9;c");
  });
  it("shortens long names with an ellipsis", () => {
    expect(shorten("abcdef", 4)).toBe("abc…");
    expect(shorten("abcd", 4)).toBe("abcd");
  });
});

describe("JUnit reporter", () => {
  it("writes a well-formed document with a suite per file and a failing case per finding", () => {
    const xml = renderJunit(report([smtpFinding(), shadowFinding()], [fileReport(), fileReport({ path: "clean.rules", rules: 3 })]));
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    expect(root.attrs).toMatchObject({ name: "fwlint", tests: "15", failures: "2", errors: "0" });
    expect(root.children.map((s) => [s.name, s.attrs.name, s.attrs.tests, s.attrs.failures])).toEqual([
      ["testsuite", "rules.v4", "12", "2"],
      ["testsuite", "clean.rules", "3", "0"],
    ]);
    const [high, low] = root.children[0]!.children;
    expect(high!.attrs).toEqual({
      classname: "exposed-service",
      name: "rules.v4:9 SMTP (tcp/25) is reachable from any source on the inbound path",
    });
    const failure = high!.children[0]!;
    expect(failure.name).toBe("failure");
    expect(failure.attrs).toEqual({ message: "SMTP (tcp/25) is reachable from any source on the inbound path", type: "high" });
    expect(failure.text).toContain("e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0");
    expect(failure.text).toContain("decided by:");
    expect(failure.text.split("\n")).toEqual([
      "rules.v4:9:1 high exposed-service",
      "  9 | -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT",
      "    | ^",
      "SMTP (tcp/25) is reachable from any source on the inbound path",
      "e.g. tcp 198.51.100.7:40000 -> 10.0.0.5:25 iif eth0",
      "decided by: filter INPUT rules.v4:9 accept: -p tcp --dport 25 -j ACCEPT",
    ]);
    expect(low!.attrs.classname).toBe("shadowed-rule");
    expect(low!.children[0]!.attrs.type).toBe("low");
    expect(low!.children[0]!.text).toContain("related:");
    const clean = root.children[1]!.children;
    expect(clean).toEqual([{ name: "testcase", attrs: { classname: "fwlint", name: "no findings" }, children: [], text: "" }]);
  });

  it("orders cases most severe first and counts at least one test per suite", () => {
    const root = parseXml(
      renderJunit(
        report(
          [
            shadowFinding({ location: { file: "a", line: 1, column: 1 } }),
            smtpFinding({ location: { file: "a", line: 7, column: 1 } }),
            smtpFinding({ severity: "critical", location: { file: "a", line: 9, column: 1 } }),
            smtpFinding({ location: { file: "a", line: 3, column: 1 } }),
          ],
          [fileReport({ path: "a", rules: 0 }), fileReport({ path: "empty", rules: 0 })],
        ),
      ),
    );
    const a = root.children[0]!;
    expect(a.attrs.tests).toBe("4");
    expect(a.children.map((c) => `${c.children[0]!.attrs.type} ${c.attrs.name.split(" ")[0]}`)).toEqual([
      "critical a:9",
      "high a:3",
      "high a:7",
      "low a:1",
    ]);
    expect(root.children[1]!.attrs).toMatchObject({ name: "empty", tests: "1", failures: "0" });
  });

  it("escapes a comment with <script>, quotes, & and control characters", () => {
    const comment = `allow "web" & <script>alert('x')</script>\u0007\u001b[2J\u0000 done`;
    const f = smtpFinding({
      message: `rule with comment ${comment}`,
      location: { file: `we<ird>&"'.rules`, line: 9, column: 1 },
      sourceLine: `-A INPUT -p tcp --dport 25 -m comment --comment "${comment}" -j ACCEPT`,
    });
    const xml = renderJunit(report([f], [fileReport({ path: `we<ird>&"'.rules` })]));
    expect(xml).not.toContain("<script>");
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const root = parseXml(xml);
    expect(root.children[0]!.attrs.name).toBe(`we<ird>&"'.rules`);
    const testcase = root.children[0]!.children[0]!;
    const failure = testcase.children[0]!;
    // Control characters are shown as visible escapes (sanitize), the rest round-trips through XML escaping.
    const shown = `allow "web" & <script>alert('x')</script>\\x07\\x1b[2J\\x00 done`;
    expect(failure.attrs.message).toBe(`rule with comment ${shown}`);
    expect(failure.text).toContain(`--comment "${shown}"`);
    expect(testcase.attrs.name.startsWith(`we<ird>&"'.rules:9 rule with comment allow`)).toBe(true);
  });

  it("shortens long testcase names but keeps the full message in the failure", () => {
    const long = "x".repeat(300);
    const root = parseXml(renderJunit(report([smtpFinding({ message: long })])));
    const testcase = root.children[0]!.children[0]!;
    expect(Array.from(testcase.attrs.name).length).toBe(120);
    expect(testcase.attrs.name.endsWith("…")).toBe(true);
    expect(testcase.children[0]!.attrs.message).toBe(long);
  });

  it("reports file errors as <error> cases and gives no passing case to a broken file", () => {
    const files = [
      fileReport({
        path: "broken.rules",
        rules: 0,
        diagnostics: [
          { severity: "error", message: "could not be parsed as iptables: unexpected <EOF>", file: "broken.rules", line: 1, column: 1 },
          { severity: "warning", message: "ignored", file: "broken.rules", line: 2, column: 1 },
        ],
      }),
    ];
    const root = parseXml(renderJunit(report([], files)));
    expect(root.attrs).toMatchObject({ tests: "1", failures: "0", errors: "1" });
    const suite = root.children[0]!;
    expect(suite.attrs).toMatchObject({ name: "broken.rules", errors: "1" });
    expect(suite.children).toHaveLength(1);
    expect(suite.children[0]!.attrs.classname).toBe("fwlint.file-error");
    expect(suite.children[0]!.children[0]!.name).toBe("error");
    expect(suite.children[0]!.children[0]!.attrs.message).toBe("could not be parsed as iptables: unexpected <EOF>");
  });

  it("gives findings in a file not in the report's file list a suite of their own", () => {
    const root = parseXml(renderJunit(report([smtpFinding({ location: { file: "other.rules", line: 2, column: 1 } })])));
    expect(root.children.map((s) => [s.attrs.name, s.attrs.failures])).toEqual([
      ["rules.v4", "0"],
      ["other.rules", "1"],
    ]);
  });

  it("writes an empty but valid document for an empty report", () => {
    const root = parseXml(renderJunit(report([], [])));
    expect(root).toEqual({ name: "testsuites", attrs: { name: "fwlint", tests: "0", failures: "0", errors: "0" }, children: [], text: "\n" });
  });

  it("reports real findings from the open-relay fixture", () => {
    const path = "fixtures/iptables/open-relay.rules";
    const result = analyzeText(path, readFixture(path));
    const root = parseXml(renderJunit(buildReport(FWLINT_VERSION, [result.file], result.findings)));
    expect(root.children).toHaveLength(1);
    const suite = root.children[0]!;
    expect(suite.attrs).toMatchObject({ name: path, tests: String(result.file.rules), failures: String(result.findings.length) });
    const smtp = suite.children.find((c) => c.attrs.name.startsWith(`${path}:16 SMTP`));
    expect(smtp?.attrs.classname).toBe("exposed-service");
    expect(smtp!.children[0]!.attrs.type).toBe("high");
    expect(smtp!.children[0]!.text).toMatch(/e\.g\. tcp \S+ -> \S+:25/);
    expect(smtp!.children[0]!.text).toContain(`decided by: filter INPUT ${path}:16 accept: -A INPUT -p tcp -m tcp --dport 25 -j ACCEPT`);
  });

  it("rejects malformed XML (the checker itself is strict)", () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${head}<a><b></a></b>`)).toThrow();
    expect(() => parseXml(`${head}<a x="1" x="2"/>`)).toThrow();
    expect(() => parseXml(`${head}<a>1 < 2</a>`)).toThrow();
    expect(() => parseXml(`${head}<a>AT&T</a>`)).toThrow();
    expect(() => parseXml(`${head}<a>\u001b</a>`)).toThrow();
    expect(() => parseXml(`${head}<a/><b/>`)).toThrow();
    expect(parseXml(`${head}<a x="&lt;&#10;">t&amp;</a>`)).toEqual({ name: "a", attrs: { x: "<\n" }, children: [], text: "t&" });
  });
});

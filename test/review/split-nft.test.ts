/**
 * The review of a split nftables configuration (nftables.conf including nftables.d/*.nft), read as
 * check reads it: a fragment the scanned includer reads is part of it - its findings shown with the
 * fragment's own source lines, accepted by a comment written into the fragment, and watched -; a
 * fragment named alone is reviewed as part of the includer found beside it, with its model for the
 * packet tracer. And check honours a suppression comment in an included fragment.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { analyzeText } from "../../src/engine/check.js";
import { acceptFinding, canComment } from "../../src/review/actions.js";
import { scan } from "../../src/review/session.js";
import { decidedByText, detailLines } from "../../src/review/ui/views.js";
import { exposureMapForFile } from "../../src/review/exposure-map.js";
import { verdictFor } from "../../src/analysis/verdict.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-review-split-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CONF = `#!/usr/sbin/nft -f
flush ruleset
define MGMT = 10.0.0.0/8
table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\tinclude "./nftables.d/*.nft"
\t}
}
`;
const etc = join(tmp, "etc");
const conf = join(etc, "nftables.conf");
const mail = join(etc, "nftables.d", "20-mail.nft");
const ssh = join(etc, "nftables.d", "10-ssh.nft");

beforeEach(() => {
  rmSync(etc, { recursive: true, force: true });
  mkdirSync(join(etc, "nftables.d"), { recursive: true });
  writeFileSync(conf, CONF);
  writeFileSync(ssh, "ip saddr $MGMT tcp dport 22 accept\n");
  writeFileSync(mail, "# the relay\n\ntcp dport 25 accept\n");
});

const smtp = (r: Awaited<ReturnType<typeof scan>>) => r.findings.filter((f) => f.finding.ruleId === "exposed-service" && f.finding.exposure?.service === "smtp");

describe("review of a split nftables configuration", () => {
  it("the folder: one file, the includer; the fragment's findings with its own source line, and its files watched", async () => {
    const r = await scan({ paths: [etc], baselineFile: join(tmp, "none.json") });
    expect(r.problems).toEqual([]);
    expect(r.files.map((f) => f.path)).toEqual([conf]);
    expect([...r.files[0]!.readAlso].sort()).toEqual([ssh, mail]);
    // the include's pattern too: a fragment added to nftables.d/ is read by the next scan
    expect(r.files[0]!.readMatching).toEqual([join(etc, "nftables.d", "*.nft")]);
    const found = smtp(r);
    expect(found.map((f) => [f.finding.location.file, f.finding.location.line])).toEqual([
      [mail, 3],
      [mail, 3],
    ]);
    const lines = detailLines(found[0]!, 100).map((l) => l.text);
    expect(lines).toContain(">3 | tcp dport 25 accept");
    expect(lines.join("\n")).not.toContain("not in the scanned text");
  });

  it("accepting a fragment's finding writes the comment into the fragment, and the next scan no longer lists it", async () => {
    const source = { paths: [etc], baselineFile: join(tmp, "none.json") };
    const item = smtp(await scan(source))[0]!;
    expect(canComment(item)).toBeUndefined();
    const said = acceptFinding(item, "the relay takes authenticated mail only", "comment", source.baselineFile);
    expect(said).toBe(`suppression comment written at ${mail}:3`);
    expect(readFileSync(mail, "utf8")).toBe("# the relay\n\n# fwlint-disable-next-line exposed-service -- the relay takes authenticated mail only\ntcp dport 25 accept\n");
    expect(readFileSync(conf, "utf8")).toBe(CONF);
    const after = await scan(source);
    expect(smtp(after)).toEqual([]);
    expect(after.findings.some((f) => f.finding.exposure?.service === "ssh")).toBe(false); // from 10/8 only
  });

  it("a fragment named alone: reviewed as part of the includer found beside it, with its model", async () => {
    const r = await scan({ paths: [mail], baselineFile: join(tmp, "none.json") });
    expect(r.problems).toEqual([]);
    expect(r.files.map((f) => [f.path, f.format])).toEqual([[mail, "nft"]]);
    const file = r.files[0]!;
    expect(file.readAlso).toContain(conf);
    expect(file.readMatching).toEqual([join(etc, "nftables.d", "*.nft")]);
    expect(smtp(r).map((f) => f.finding.location.line)).toEqual([3, 3]);
    expect(r.findings.every((f) => f.finding.location.file === mail)).toBe(true);
    expect(detailLines(smtp(r)[0]!, 100).map((l) => l.text)).toContain(">3 | tcp dport 25 accept");
    // the packet tracer goes through the includer's ruleset
    const to = (dport: number) => verdictFor(file.ruleset!, { family: 4, proto: "tcp", src: "198.51.100.7", dst: "192.0.2.1", dport, hook: "input" }).verdict;
    expect([to(25), to(23)]).toEqual(["accept", "drop"]);
  });

  it("the exposure map of a fragment named alone names the rules of other files with their file", async () => {
    writeFileSync(ssh, "ip saddr $MGMT tcp dport 22 accept\ntcp dport 587 accept\n");
    const r = await scan({ paths: [mail], baselineFile: join(tmp, "none.json") });
    const rows = exposureMapForFile(r.files[0]!, r.findings).filter((row) => row.direction === "inbound" && row.family === 4);
    const by = (port: number) => rows.filter((row) => row.ports.some(([a, b]) => a <= port && port <= b)).map((row) => decidedByText(row, true));
    expect(by(25)).toEqual(["line 3 tcp dport 25 accept"]);
    expect(by(587)).toEqual([`${ssh}:2 tcp dport 587 accept`]);
  });

  it("an included file that is not there yet is watched by its path; once written, the next scan reads it", async () => {
    const extra = join(etc, "extra.nft");
    writeFileSync(conf, CONF.replace('include "./nftables.d/*.nft"', 'include "./nftables.d/*.nft"\n\t\tinclude "./extra.nft"'));
    const before = await scan({ paths: [conf], baselineFile: join(tmp, "none.json") });
    expect(before.files[0]!.readMatching).toEqual([join(etc, "nftables.d", "*.nft"), extra]);
    expect(before.files[0]!.diagnostics.some((d) => d.message.includes(`file ${extra} not found`))).toBe(true);
    writeFileSync(extra, "tcp dport 3306 accept\n");
    const after = await scan({ paths: [conf], baselineFile: join(tmp, "none.json") });
    expect(after.findings.filter((f) => f.finding.exposure?.service === "mysql").map((f) => f.finding.location.file)).toEqual([extra, extra]);
  });

  it("a fragment with no includer beside it is still a problem line, as before", async () => {
    const alone = join(tmp, "alone", "30-web.nft");
    mkdirSync(join(tmp, "alone"), { recursive: true });
    writeFileSync(alone, "tcp dport 80 accept\n");
    const r = await scan({ paths: [alone], baselineFile: join(tmp, "none.json") });
    expect(r.files).toEqual([]);
    expect(r.problems.map((p) => p.path)).toEqual([alone]);
  });
});

describe("check honours suppression comments in included files", () => {
  it("a directive in the fragment drops the finding there; one without a reason is a warning at its line", () => {
    writeFileSync(mail, "# fwlint-disable-next-line exposed-service -- authenticated relay\ntcp dport 25 accept\n");
    expect(analyzeText(conf, CONF).findings.filter((f) => f.exposure?.service === "smtp")).toEqual([]);
    writeFileSync(mail, "# fwlint-disable-next-line exposed-service\ntcp dport 25 accept\n");
    const res = analyzeText(conf, CONF);
    expect(res.findings.filter((f) => f.exposure?.service === "smtp").length).toBe(2);
    expect(res.file.diagnostics.filter((d) => d.message.includes("has no reason")).map((d) => [d.file, d.line, d.severity])).toEqual([[mail, 1, "warning"]]);
  });
});

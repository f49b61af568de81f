/**
 * Capirca / Aerleon include and naming definitions files through the CLI: a run that holds the
 * policies reads them as part of the policies; named alone (pre-commit passes only the staged
 * files) they are reported with the analysis of every policy beside them that reads them; diff
 * --base sees a change to a network definition as what it opens in each policy using it, and
 * check --new-only --base keeps each policy's findings that are new.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { scan } from "../../src/review/session.js";
import { captureIo } from "./io.js";
import { commitAll, inside, run } from "./in-repo.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-capirca-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Report = { files: { path: string; format: string; diagnostics: { severity: string; message: string }[] }[]; findings: { ruleId: string; message: string; location: { file: string; line: number } }[] };

/** A copy of fixtures/capirca as a git repository, its first commit made. */
function repo(name: string): { dir: string } {
  const dir = join(tmp, name);
  cpSync(join(import.meta.dirname, "..", "..", "fixtures", "capirca"), dir, { recursive: true });
  commitAll(dir, "policies");
  return { dir };
}



/** ADMINS widened to every address: SSH, which both policies give ADMINS, opens to everyone. */
function widenAdmins(dir: string): void {
  const file = join(dir, "def", "NETWORK.net");
  writeFileSync(file, readFileSync(file, "utf8").replace("ADMINS = 198.18.7.0/24", "ADMINS = 198.18.7.0/24\n         0.0.0.0/0"));
}

const ssh = (r: Report) => r.findings.filter((f) => f.ruleId === "exposed-service" && f.message.startsWith("SSH")).map((f) => `${f.location.file}:${f.location.line}`);

describe("Capirca include and definitions files", () => {
  it("a folder's run reads them as part of the policies", async () => {
    const { dir } = repo("folder");
    const r = await inside(dir, () => run("check", "--format", "json", "--fail-on", "none", "."));
    const report = JSON.parse(r.out) as Report;
    const info = (path: string) => report.files.find((f) => f.path === path)!.diagnostics.map((d) => d.message);
    expect(info("def/NETWORK.net")).toEqual(["read as part of policies/pol/datacentre.yaml, a policy that reads it: the policy is analysed with it"]);
    expect(info("policies/includes/bogons.inc")).toEqual(["read as part of policies/pol/edge.pol, a policy that reads it: the policy is analysed with it"]);
    expect(report.findings.filter((f) => f.message.startsWith("SMTP")).map((f) => `${f.location.file}:${f.location.line}`)).toEqual(["policies/pol/edge.pol:30", "policies/pol/edge.pol:30"]);
  });

  it("named alone, with every policy beside it that reads it", async () => {
    const { dir } = repo("alone");
    widenAdmins(dir);
    const r = await inside(dir, () => run("check", "--format", "json", "def/NETWORK.net"));
    expect(r.status).toBe(1);
    const report = JSON.parse(r.out) as Report;
    expect(report.files[0]!.diagnostics[0]!.message).toBe("read as part of policies/pol/datacentre.yaml and policies/pol/edge.pol, found beside it, policies that read it: each is analysed with it");
    expect(ssh(report)).toEqual(["policies/pol/datacentre.yaml:25", "policies/pol/edge.pol:22"]);
    // an include named alone: its policy's analysis
    const inc = await inside(dir, () => run("check", "--format", "json", "--fail-on", "none", "policies/includes/bogons.inc"));
    const incReport = JSON.parse(inc.out) as Report;
    expect(incReport.files[0]!.diagnostics[0]!.message).toBe("read as part of policies/pol/edge.pol, found beside it, a policy that reads it: the policy is analysed with it");
    expect(incReport.findings.some((f) => f.message.startsWith("SMTP"))).toBe(true);
  });

  it("a policy checked from outside its repository reads the repository's def/", async () => {
    const { dir } = repo("outside");
    const r = await run("check", "--format", "json", "--fail-on", "none", join(dir, "policies", "pol", "edge.pol"));
    const report = JSON.parse(r.out) as Report;
    expect(report.files[0]!.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(report.findings.filter((f) => f.message.startsWith("SMTP")).map((f) => f.location.line)).toEqual([30, 30]);
  });

  it("baseline and review read a definitions file named alone as check does", async () => {
    const { dir } = repo("review");
    widenAdmins(dir);
    await inside(dir, async () => {
      const io = captureIo();
      expect(await main(["baseline", "--output", "baseline.json", "def/NETWORK.net"], io)).toBe(0);
      expect(io.err).toMatch(/\d+ findings? written/);
      const review = await scan({ paths: ["def/NETWORK.net"], baselineFile: join(dir, "none.json") });
      expect(review.problems).toEqual([]);
      expect(review.files.map((f) => [f.path, f.format])).toEqual([["def/NETWORK.net", "capirca"]]);
      expect(review.findings.filter((f) => f.finding.message.startsWith("SSH")).map((f) => `${f.finding.location.file}:${f.finding.location.line}`)).toEqual(["policies/pol/datacentre.yaml:25", "policies/pol/edge.pol:22"]);
    });
  });

  it("check --new-only --base: each policy's new findings", async () => {
    const { dir } = repo("new-only");
    widenAdmins(dir);
    const r = await inside(dir, () => run("check", "--format", "json", "--new-only", "--base", "HEAD", "def/NETWORK.net"));
    const report = JSON.parse(r.out) as Report;
    expect(report.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.file}:${f.location.line} ${f.message.split(" (")[0]}`)).toEqual(["policies/pol/datacentre.yaml:25 SSH", "policies/pol/edge.pol:22 SSH"]);
  });

  it("diff --base: a definition widened opens what each policy using it lets in", async () => {
    const { dir } = repo("diff");
    widenAdmins(dir);
    for (const args of [["diff", "--base", "HEAD"], ["diff", "--base", "HEAD", "def/NETWORK.net"]]) {
      const r = await inside(dir, () => run(...args));
      expect(r.status, r.err).toBe(1);
      expect(r.out).toMatch(/this change opens TCP\/22 from any source to any destination \(policies\/pol\/datacentre\.yaml:25\)/);
      expect(r.out).toMatch(/this change opens TCP\/22 from any source to 203\.0\.113\.25, 203\.0\.113\.33, 203\.0\.113\.80\/31 \(policies\/pol\/edge\.pol:22\)/);
    }
  });
});

/**
 * An Ansible project's variables files and role task files through the CLI: a run that holds the
 * playbook reads them as part of it; named alone (pre-commit passes only the staged files) a
 * variables file is reported with the analysis of every playbook beside it that reads it and a
 * role's task file with its part of the playbook that runs it (not alone, where no play's policy
 * stands); a playbook that only runs roles, which no reader claims on its own, is found so too and
 * read as the format of its roles' tasks; check --new-only --base and diff --base see a widened
 * group_vars network as what it opens at the task that uses it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitAll, fixtureRepo, inside, run } from "./in-repo.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-ansible-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Report = { files: { path: string; format: string; diagnostics: { severity: string; message: string }[] }[]; findings: { ruleId: string; message: string; location: { file: string; line: number } }[] };

/** A copy of fixtures/ansible-iptables/mail-project as a git repository, its first commit made. */
function repo(name: string): string {
  return fixtureRepo("ansible-iptables/mail-project", join(tmp, name));
}

/**
 * A project whose playbook only runs a role (no reader claims it on its own: its tasks are the
 * role's), the role's policy a parameter; a git repository, its first commit made.
 */
function rolesOnly(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "group_vars"), { recursive: true });
  mkdirSync(join(dir, "roles", "fw", "tasks"), { recursive: true });
  writeFileSync(join(dir, "site.yml"), "- hosts: edge\n  roles:\n    - role: fw\n      policy: DROP\n");
  writeFileSync(
    join(dir, "roles", "fw", "tasks", "main.yml"),
    "- name: SSH for the admins\n  ansible.builtin.iptables:\n    chain: INPUT\n    protocol: tcp\n    source: '{{ admin_net }}'\n    destination_port: '22'\n    jump: ACCEPT\n- ansible.builtin.iptables: { chain: INPUT, policy: '{{ policy }}' }\n- ansible.builtin.iptables: { chain: FORWARD, policy: DROP }\n",
  );
  writeFileSync(join(dir, "group_vars", "all.yml"), "admin_net: 192.0.2.0/24\n");
  commitAll(dir, "firewall");
  writeFileSync(join(dir, "group_vars", "all.yml"), "admin_net: 0.0.0.0/0\n");
  return dir;
}

/** The admins' network of group_vars/all.yml widened to every address: SSH opens to everyone. */
function widenAdmins(dir: string): void {
  const file = join(dir, "group_vars", "all.yml");
  writeFileSync(file, readFileSync(file, "utf8").replace("198.51.100.0/24", "0.0.0.0/0"));
}

const ssh = (r: Report) => r.findings.filter((f) => f.ruleId === "exposed-service" && f.message.startsWith("SSH")).map((f) => `${f.location.file}:${f.location.line}`);

describe("Ansible variables and role task files", () => {
  it("a folder's run reads them as part of the playbook", async () => {
    const dir = repo("folder");
    const r = await inside(dir, () => run("check", "--format", "json", "--fail-on", "none", "."));
    const report = JSON.parse(r.out) as Report;
    const info = (path: string) => report.files.find((f) => f.path === path)!.diagnostics.map((d) => d.message);
    expect(info("group_vars/all.yml")).toEqual(["read as part of site.yml, a playbook that reads its variables: it is analysed with them"]);
    expect(info("roles/mail_relay/tasks/main.yml")).toEqual(["read as part of site.yml, which runs its tasks: their rules are analysed there"]);
    // the playbook's analysis only: no finding of a role's tasks read alone (with no play's DROP policy)
    expect(report.findings.filter((f) => f.ruleId === "exposed-service" && f.message.startsWith("Every")).map((f) => f.message)).toEqual([
      "Every TCP port is reachable from any source on the forward path",
      "Every UDP port is reachable from any source on the forward path",
    ]);
    expect(report.findings.filter((f) => f.message.startsWith("SMTP")).map((f) => `${f.location.file}:${f.location.line}`)).toEqual(["roles/mail_relay/tasks/main.yml:2"]);
  });

  it("named alone: a variables file with the playbook that reads it, a role's task file with its part of the playbook", async () => {
    const dir = repo("alone");
    widenAdmins(dir);
    const r = await inside(dir, () => run("check", "--format", "json", "group_vars/all.yml"));
    expect(r.status).toBe(1);
    const report = JSON.parse(r.out) as Report;
    expect(report.files[0]!.diagnostics[0]!.message).toBe("read as part of site.yml, found beside it, a playbook that reads its variables: it is analysed with them");
    expect(ssh(report)).toEqual(["roles/base_firewall/tasks/main.yml:8"]);
    // (--skip-unknown, as the fwlint-configs hook runs it, does not skip a file a playbook reads)
    const skipping = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "--fail-on", "none", "group_vars/all.yml"))).out) as Report;
    expect(ssh(skipping)).toEqual(["roles/base_firewall/tasks/main.yml:8"]);
    const tasks = await inside(dir, () => run("check", "--format", "json", "--fail-on", "none", "roles/mail_relay/tasks/main.yml"));
    const part = JSON.parse(tasks.out) as Report;
    expect(part.files[0]!.diagnostics[0]!.message).toBe("read as part of site.yml, found beside it, which runs its tasks: their rules are analysed there");
    expect(part.findings.map((f) => `${f.location.file}:${f.location.line} ${f.message.split(" is ")[0]}`)).toEqual(["roles/mail_relay/tasks/main.yml:2 SMTP (tcp/25)", "roles/mail_relay/tasks/main.yml:18 IMAP (tcp/143)"]);
  });

  it("a playbook that only runs roles is found for its role's task file and its variables, read as the format of the role's tasks", async () => {
    const dir = rolesOnly("roles-only");
    const told = (r: Report) => r.files.map((f) => `${f.path}: ${f.diagnostics.map((d) => d.message).join("; ")}`);
    const vars = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "--fail-on", "none", "group_vars/all.yml"))).out) as Report;
    expect(told(vars)).toEqual(["group_vars/all.yml: read as part of site.yml, found beside it, a playbook that reads its variables: it is analysed with them"]);
    expect(ssh(vars)).toEqual(["roles/fw/tasks/main.yml:2"]);
    // the role's DROP policy (a parameter of the play): nothing else is open
    expect(vars.findings.filter((f) => f.ruleId === "exposed-service").length).toBe(1);
    for (const target of ["roles/fw/tasks/main.yml", "."]) {
      const r = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--fail-on", "none", target))).out) as Report;
      expect(told(r).find((t) => t.startsWith("roles/fw/tasks/main.yml"))).toBe("roles/fw/tasks/main.yml: read as part of site.yml, found beside it, which runs its tasks: their rules are analysed there");
      expect(r.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.file}:${f.location.line}`)).toEqual(["roles/fw/tasks/main.yml:2"]);
    }
    for (const args of [["diff", "--base", "HEAD"], ["diff", "--base", "HEAD", "group_vars/all.yml"]]) {
      const d = await inside(dir, () => run(...args));
      expect(d.status, d.err).toBe(1);
      expect(d.out).toMatch(/this change opens TCP\/22 from any source to any destination \(roles\/fw\/tasks\/main\.yml:2\)/);
    }
  });

  it("check --new-only --base and diff --base: the widened network is what opens SSH", async () => {
    const dir = repo("changed");
    widenAdmins(dir);
    const r = await inside(dir, () => run("check", "--format", "json", "--new-only", "--base", "HEAD", "group_vars/all.yml"));
    const report = JSON.parse(r.out) as Report;
    expect(report.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.file}:${f.location.line} ${f.message.split(" (")[0]}`)).toEqual(["roles/base_firewall/tasks/main.yml:8 SSH"]);
    for (const args of [["diff", "--base", "HEAD"], ["diff", "--base", "HEAD", "group_vars/all.yml"]]) {
      const d = await inside(dir, () => run(...args));
      expect(d.status, d.err).toBe(1);
      expect(d.out).toMatch(/this change opens TCP\/22 from any source to any destination \(roles\/base_firewall\/tasks\/main\.yml:8\)/);
    }
  });
});

/**
 * An Ansible project whose role writes the host's rules from templates, through the CLI: a
 * folder's run reads the templates (their findings at the templates' lines) and reports the
 * playbook, the role's tasks and defaults and the group_vars as read as part of them; named alone
 * (pre-commit passes only the staged files) a variables file or the playbook is reported with the
 * analysis of every template rendered with it; check --new-only --base and diff --base see a
 * widened group_vars network, or a port added to the playbook's role parameter, as what it opens
 * at the template line that writes the rule; a host added to the project's inventory without the
 * address a template's loop over its group needs likewise.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitAll, fixtureRepo, inside, run } from "./in-repo.js";

const tmp = mkdtempSync(join(tmpdir(), "fwlint-templates-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Report = { files: { path: string; format: string; diagnostics: { severity: string; message: string }[] }[]; findings: { ruleId: string; message: string; location: { file: string; line: number } }[] };

/** A copy of fixtures/ansible-template/mail-project as a git repository, its first commit made. */
function repo(name: string): string {
  return fixtureRepo("ansible-template/mail-project", join(tmp, name));
}

/** A git repository in `dir` holding `files` (path in it: text), its first commit made. */
function repoOf(dir: string, files: Record<string, string>): void {
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, ".."), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  commitAll(dir, "firewall");
}

function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

const exposed = (r: Report) => r.findings.filter((f) => f.ruleId === "exposed-service").map((f) => `${f.location.file}:${f.location.line} ${f.message.split(" (")[0]}`);
const V4 = "roles/firewall/templates/rules.v4.j2";
const V6 = "roles/firewall/templates/rules.v6.j2";

describe("Ansible templates of firewall files", () => {
  it("a folder's run reads the templates, and the files they are rendered with as part of them", async () => {
    const dir = repo("folder");
    const report = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--fail-on", "none", "."))).out) as Report;
    expect(report.files.map((f) => `${f.path} ${f.format}`)).toEqual([
      "group_vars/all.yml unknown",
      "roles/firewall/defaults/main.yml unknown",
      "roles/firewall/tasks/main.yml unknown",
      "roles/firewall/templates/partials/drop-invalid.j2 unknown",
      `${V4} ansible-template`,
      `${V6} ansible-template`,
      "site.yml unknown",
    ]);
    const info = (path: string) => report.files.find((f) => f.path === path)!.diagnostics.map((d) => d.message);
    expect(info("group_vars/all.yml")).toEqual([`read as part of ${V4}, a template rendered with what it holds: it is analysed with it`]);
    expect(info("roles/firewall/templates/partials/drop-invalid.j2")).toEqual([`read as part of ${V4}, which includes it: its rules are analysed there`]);
    expect(exposed(report)).toEqual([`${V4}:14 SMTP`, `${V6}:10 SMTP`]);
  });

  it("named alone, a variables file or the playbook is reported with the templates rendered with it", async () => {
    const dir = repo("alone");
    edit(dir, "group_vars/all.yml", "192.0.2.0/24", "0.0.0.0/0");
    for (const file of ["group_vars/all.yml", "site.yml"]) {
      const r = await inside(dir, () => run("check", "--format", "json", "--skip-unknown", file));
      expect(r.status).toBe(1);
      const report = JSON.parse(r.out) as Report;
      expect(report.files.map((f) => f.diagnostics[0]?.message)).toEqual([`read as part of ${V4} and ${V6}, found beside it, templates rendered with what it holds: each is analysed with it`]);
      expect(exposed(report)).toEqual([`${V4}:11 SSH`, `${V4}:14 SMTP`, `${V6}:10 SMTP`]);
    }
  });

  it("a template another includes, named alone, is reported with the template that includes it; diff compares that one", async () => {
    const dir = repo("partial");
    const partial = "roles/firewall/templates/partials/drop-invalid.j2";
    edit(dir, partial, "--ctstate INVALID -j DROP", "--ctstate INVALID -j ACCEPT");
    const report = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "--fail-on", "none", partial))).out) as Report;
    expect(report.files.map((f) => f.diagnostics[0]?.message)).toEqual([`read as part of ${V4}, found beside it, which includes it: its rules are analysed there`]);
    expect(exposed(report)).toEqual([`${V4}:14 SMTP`]);
    const d = await inside(dir, () => run("diff", "--base", "HEAD", partial));
    expect(d.err).toContain(`compared as part of ${V4}, found beside it, a template that includes it`);
    expect(d.out).toMatch(/^this change opens every TCP port to any destination \(INVALID packets only\) \(roles\/firewall\/templates\/partials\/drop-invalid\.j2:3\)/m);
  });

  it("a project laid out by its ansible.cfg: roles in its roles_path, the inventory's group_vars, playbooks in playbooks/", async () => {
    const dir = join(tmp, "cfg");
    const files: Record<string, string> = {
      "ansible.cfg": "[defaults]\nroles_path = ./galaxy_roles\ninventory = ./inventories/prod/hosts\n",
      "inventories/prod/hosts": "[edge]\nfw1\n",
      "inventories/prod/group_vars/all.yml": "open_ports: [22]\n",
      "playbooks/site.yml": "- hosts: edge\n  roles: [fw]\n",
      "galaxy_roles/fw/tasks/main.yml": "- ansible.builtin.template: { src: rules.v4.j2, dest: /etc/iptables/rules.v4 }\n",
      "galaxy_roles/fw/templates/rules.v4.j2": "*filter\n:INPUT DROP [0:0]\n{% for p in open_ports %}\n-A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\nCOMMIT\n",
    };
    repoOf(dir, files);
    writeFileSync(join(dir, "inventories/prod/group_vars/all.yml"), "open_ports: [22, 25]\n");
    const template = "galaxy_roles/fw/templates/rules.v4.j2";
    const r = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "--fail-on", "none", "inventories/prod/group_vars/all.yml"))).out) as Report;
    expect(r.files.map((f) => f.diagnostics[0]?.message)).toEqual([`read as part of ${template}, found beside it, a template rendered with what it holds: it is analysed with it`]);
    expect(exposed(r)).toEqual([`${template}:4 SMTP`, `${template}:4 SSH`]);
    const d = await inside(dir, () => run("diff", "--base", "HEAD", "inventories/prod/group_vars/all.yml"));
    expect(d.out).toMatch(/^this change opens TCP\/25 from any source to any destination \(galaxy_roles\/fw\/templates\/rules\.v4\.j2:4\)/m);
  });

  it("the project's inventory: named alone it is reported with the templates rendered with it; diff --base sees what a host added there opens", async () => {
    const dir = fixtureRepo("ansible-template/db-cluster", join(tmp, "inventory"));
    const template = "roles/pg_firewall/templates/rules.v4.j2";
    // (the inventory as committed gives app3 no address: the template's default opens PostgreSQL to everyone)
    const r = await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "inventory/hosts"));
    expect(r.status).toBe(1);
    const report = JSON.parse(r.out) as Report;
    expect(report.files.map((f) => f.diagnostics[0]?.message)).toEqual([`read as part of ${template}, found beside it, a template rendered with what it holds: it is analysed with it`]);
    expect(exposed(report)).toEqual([`${template}:13 PostgreSQL`]);
    edit(dir, "inventory/hosts", "app3.example.net\n", "app3.example.net ansible_host=203.0.113.13\n");
    commitAll(dir, "app3's address");
    const fixed = await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "inventory/hosts"));
    expect(fixed.status, fixed.out).toBe(0);
    edit(dir, "inventory/hosts", "app2.example.net ansible_host=203.0.113.12\n", "app2.example.net ansible_host=203.0.113.12\napp4.example.net\n");
    const d = await inside(dir, () => run("diff", "--base", "HEAD", "inventory/hosts"));
    expect(d.status, d.err).toBe(1);
    expect(d.out).toMatch(/^this change opens TCP\/5432 from any source to any destination \(roles\/pg_firewall\/templates\/rules\.v4\.j2:13\)/m);
    const added = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--new-only", "--base", "HEAD", "inventory/hosts"))).out) as Report;
    expect(exposed(added)).toEqual([`${template}:13 PostgreSQL`]);
  });

  it("a template written for several hosts: what only another host's rendering opens is found, labelled with the host", async () => {
    const dir = join(tmp, "hosts");
    const files: Record<string, string> = {
      "hosts": "[web]\nweb1\nweb2\nweb3\n",
      "group_vars/web.yml": "open_ports: [443]\n",
      "host_vars/web3.yml": "open_ports: [443, 3306]\n",
      "site.yml": "- hosts: web\n  tasks:\n    - ansible.builtin.template: { src: rules.v4.j2, dest: /etc/iptables/rules.v4 }\n",
      "templates/rules.v4.j2": "# {{ inventory_hostname }}\n*filter\n:INPUT DROP [0:0]\n{% for p in open_ports %}\n-A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\nCOMMIT\n",
    };
    repoOf(dir, files);
    const r = await inside(dir, () => run("check", "--format", "json", "templates/rules.v4.j2"));
    expect(r.status).toBe(1);
    const report = JSON.parse(r.out) as Report;
    expect(exposed(report)).toEqual(["templates/rules.v4.j2:5 MySQL/MariaDB", "templates/rules.v4.j2:5 HTTPS"]);
    expect(report.findings.find((f) => f.message.startsWith("MySQL"))!.message).toBe("MySQL/MariaDB (tcp/3306) is reachable from any source on the inbound path (as read for host web3)");
    // (the host_vars file named alone: the template is reported with it)
    const alone = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--skip-unknown", "--fail-on", "none", "host_vars/web3.yml"))).out) as Report;
    expect(exposed(alone)).toEqual(["templates/rules.v4.j2:5 MySQL/MariaDB", "templates/rules.v4.j2:5 HTTPS"]);
  });

  it("check --new-only --base and diff --base: what a variables change opens, at the template's line", async () => {
    const dir = repo("changed");
    edit(dir, "group_vars/all.yml", "192.0.2.0/24", "0.0.0.0/0");
    const report = JSON.parse((await inside(dir, () => run("check", "--format", "json", "--new-only", "--base", "HEAD", "group_vars/all.yml"))).out) as Report;
    expect(exposed(report)).toEqual([`${V4}:11 SSH`]);
    for (const args of [["diff", "--base", "HEAD"], ["diff", "--base", "HEAD", "group_vars/all.yml"]]) {
      const d = await inside(dir, () => run(...args));
      expect(d.status, d.err).toBe(1);
      expect(d.out).toMatch(/^this change opens TCP\/22 from any source to any destination \(roles\/firewall\/templates\/rules\.v4\.j2:11\)/m);
      expect(d.out).not.toMatch(/opens.*TCP\/25/);
    }
    // (the playbook's templates read the changed group_vars too: the same opening through site.yml)
    const through = await inside(dir, () => run("diff", "--base", "HEAD", "site.yml"));
    expect(through.out).toMatch(/^this change opens TCP\/22 from any source/m);
    edit(dir, "group_vars/all.yml", "0.0.0.0/0", "192.0.2.0/24");
    edit(dir, "site.yml", "[22, 25, 587]", "[22, 25, 587, 3306]");
    const more = await inside(dir, () => run("diff", "--base", "HEAD", "site.yml"));
    expect(more.status, more.err).toBe(1);
    expect(more.out).toMatch(/^this change opens IPv4 TCP\/3306 from any source to any destination \(roles\/firewall\/templates\/rules\.v4\.j2:14\)/m);
    expect(more.out).toMatch(/^this change opens IPv6 TCP\/3306 from any source to any destination \(roles\/firewall\/templates\/rules\.v6\.j2:10\)/m);
    expect(more.out).not.toMatch(/TCP\/22 /);
  });
});

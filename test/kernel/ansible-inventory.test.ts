/**
 * Ansible inventories against the real ansible-inventory: random projects - an INI or a YAML
 * inventory (groups, child groups, host ranges and ports, group and host variables of every literal
 * kind, ansible_group_priority) with group_vars and host_vars beside it - are read by fwlint
 * (parsers/ansible/inventory.ts) and listed by `ansible-inventory --list`: every host, every group's
 * hosts and children, and every host's variables (inventory files, group_vars, host_vars, in
 * Ansible's order of precedence) must be the same. Then the `groups` Ansible gives a play (every
 * group's hosts, in order) and a host's group_names, written by a real playbook, against fwlint's.
 *
 * Needs ansible-core (.ci/run installs it); skips with a message otherwise, and
 * FWLINT_REQUIRE_KERNEL=1 (CI) turns the skip into a failure.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { groupsDict, hostVariables, projectInventory } from "../../parsers/ansible/inventory.js";
import { type Value, yamlMapping } from "../../parsers/ansible/tasks.js";
import { diskIo } from "../../parsers/file-io.js";
import { prng } from "../../src/analysis/probes.js";
import { kernelSuite, which } from "./harness.js";

const required = process.env.FWLINT_REQUIRE_KERNEL === "1";
const skip = !which("ansible-inventory") || !which("ansible-playbook") ? "ansible-core is not installed (apt-get install ansible-core)" : undefined;

const ENV = { ...process.env, ANSIBLE_INVENTORY_UNPARSED_WARNING: "0", ANSIBLE_NOCOLOR: "1", ANSIBLE_GATHERING: "explicit", ANSIBLE_LOCALHOST_WARNING: "0" };
const MAGIC = new Set(["inventory_hostname", "inventory_hostname_short", "group_names"]);
const toValue = (n: unknown): Value => ((n as { toJSON?: () => Value } | null)?.toJSON?.() ?? (n as Value) ?? null);

/** A random project's inventory folder (deterministic for a seed), INI or YAML. */
function randomProject(dir: string, rand: () => number): void {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const inv = join(dir, "inventory");
  mkdirSync(join(inv, "group_vars"), { recursive: true });
  mkdirSync(join(inv, "host_vars"), { recursive: true });
  const groups = ["edge", "web", "db", "mon", "stage"].slice(0, 2 + Math.floor(rand() * 4));
  const names = ["h1", "h2", "h3", "web[1:2]", "db[01:02]", "x[a:b]", "h4:2222", "r[1:2]:2200", "h5.example.net"];
  const children = new Map(groups.map((g) => [g, [] as string[]]));
  for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) if (rand() < 0.3) children.get(groups[i]!)!.push(groups[j]!);
  const members = new Map(groups.map((g) => [g, names.filter(() => rand() < 0.3)]));
  const ungrouped = names.filter(() => rand() < 0.15);
  const keys = ["k1", "k2", "k3"];
  const iniValue = () => pick(["1", "42", "'quoted'", '"dq"', "plain", "[1,2]", "True", "None", "0x10", `"x y"`, "{'a':1}", "-3", "07", "yes", "10.0.0.1"]);
  const yamlValue = () => pick(["1", "'s'", "plain", "[1, 2]", "true", "yes", "off", "null", "{a: 1}", "'07'", "0644", "10.0.0.1"]);
  if (rand() < 0.6) {
    let text = ungrouped.map((h) => `${h}${rand() < 0.5 ? ` k1=${iniValue()}` : ""}\n`).join("");
    for (const g of [...groups].sort(() => rand() - 0.5)) {
      text += `[${g}]\n`;
      for (const h of members.get(g)!) text += `${h}${rand() < 0.4 ? ` ${pick(keys)}=${iniValue()}` : ""}${rand() < 0.2 ? " # note" : ""}\n`;
      if (children.get(g)!.length > 0) text += `[${g}:children]\n${children.get(g)!.join("\n")}\n`;
      if (rand() < 0.5) {
        text += `[${g}:vars]\n`;
        for (const k of keys) if (rand() < 0.4) text += `${k}=${iniValue()}\n`;
        if (rand() < 0.3) text += `ansible_group_priority=${pick(["1", "2", "5"])}\n`;
      }
    }
    writeFileSync(join(inv, "hosts"), text);
  } else {
    const group = (g: string, indent: string): string => {
      let t = "";
      if (members.get(g)!.length > 0) {
        t += `${indent}hosts:\n`;
        for (const h of members.get(g)!) t += `${indent}  ${JSON.stringify(h)}:${rand() < 0.5 ? "" : ` {${pick(keys)}: ${yamlValue()}}`}\n`;
      }
      if (rand() < 0.5) {
        t += `${indent}vars:\n`;
        for (const k of keys) if (rand() < 0.5) t += `${indent}  ${k}: ${yamlValue()}\n`;
        if (rand() < 0.3) t += `${indent}  ansible_group_priority: ${pick([1, 2, 5])}\n`;
      }
      if (children.get(g)!.length > 0) {
        t += `${indent}children:\n`;
        for (const k of children.get(g)!) t += `${indent}  ${k}:\n${rand() < 0.3 ? group(k, `${indent}    `) : ""}`;
      }
      return t;
    };
    let text = "all:\n";
    if (ungrouped.length > 0) text += `  hosts:\n${ungrouped.map((h) => `    ${JSON.stringify(h)}:\n`).join("")}`;
    text += `  children:\n${groups.map((g) => `    ${g}:\n${group(g, "      ")}`).join("")}`;
    writeFileSync(join(inv, "hosts.yml"), text);
  }
  for (const g of ["all", ...groups]) if (rand() < 0.4) writeFileSync(join(inv, "group_vars", `${g}.yml`), `${pick(keys)}: gv_${g}\nflag: ${yamlValue()}\n`);
  for (const h of ["h1", "h2", "web1", "db01", "h5.example.net"]) if (rand() < 0.3) writeFileSync(join(inv, "host_vars", `${h}.yml`), `k3: hv_${h}\n`);
}

/** The variables files of `name` in dir/folder, for hostVariables (the project's files are NAME.yml). */
const varsIn = (dir: string, folder: string, name: string) => {
  const file = join(dir, folder, `${name}.yml`);
  return existsSync(file) ? yamlMapping(readFileSync(file, "utf8")) : new Map<string, Value>();
};

const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

kernelSuite("Ansible inventories against the real ansible-inventory", skip, required, () => {
  it("random INI and YAML inventories: the same hosts, groups and host variables as ansible-inventory --list", () => {
    const rand = prng(20261207);
    const root = mkdtempSync(join(tmpdir(), "fwlint-inventory-"));
    let compared = 0;
    try {
      for (let c = 0; c < 40; c++) {
        const dir = join(root, String(c));
        randomProject(dir, rand);
        const listed = spawnSync("ansible-inventory", ["-i", join(dir, "inventory"), "--list"], { encoding: "utf8", env: ENV });
        expect(listed.status, listed.stderr).toBe(0);
        const theirs = JSON.parse(listed.stdout) as Record<string, { hosts?: string[]; children?: string[]; hostvars?: Record<string, Record<string, unknown>> }>;
        const found = projectInventory(dir, [], diskIo, () => true, (n) => toValue(n));
        const inv = found.inventory;
        expect(found.unread, `case ${c}`).toEqual([]);
        const listedHosts = new Set<string>();
        for (const [g, e] of Object.entries(theirs)) if (g !== "_meta") for (const h of e.hosts ?? []) listedHosts.add(h);
        expect([...inv.hosts].sort(), `case ${c}: hosts`).toEqual([...listedHosts].sort());
        for (const [name, g] of inv.groups) {
          if (name !== "all") expect(g.hosts, `case ${c}: hosts of ${name}`).toEqual(theirs[name]?.hosts ?? []);
          expect([...g.children].sort(), `case ${c}: children of ${name}`).toEqual([...(theirs[name]?.children ?? [])].sort());
        }
        for (const h of inv.hosts) {
          const mine = Object.fromEntries([...hostVariables(found, h, dir, varsIn)].filter(([k]) => !MAGIC.has(k)));
          expect(sorted(mine), `case ${c}: variables of ${h}`).toBe(sorted(theirs._meta?.hostvars?.[h] ?? {}));
        }
        compared++;
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    console.log(`[ansible inventory] ${compared} random inventories: hosts, groups and host variables as ansible-inventory lists them`);
  }, 300_000);

  it("the groups and group_names a play sees, as a real playbook writes them", () => {
    const rand = prng(7);
    const root = mkdtempSync(join(tmpdir(), "fwlint-inventory-groups-"));
    try {
      for (let c = 0; c < 6; c++) {
        const dir = join(root, String(c));
        randomProject(dir, rand);
        const found = projectInventory(dir, [], diskIo, () => true, (n) => toValue(n));
        const host = found.inventory.hosts[0];
        if (host === undefined) continue;
        const out = join(dir, "groups.json");
        writeFileSync(
          join(dir, "play.yml"),
          `- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.copy:\n        content: "{{ {'groups': groups, 'group_names': group_names} | to_json }}"\n        dest: ${out}\n`,
        );
        const ran = spawnSync("ansible-playbook", ["-i", join(dir, "inventory"), "--limit", host, "-c", "local", "-e", "ansible_python_interpreter=/usr/bin/python3", join(dir, "play.yml")], { encoding: "utf8", env: ENV });
        expect(ran.status, `${ran.stdout}${ran.stderr}`).toBe(0);
        const theirs = JSON.parse(readFileSync(out, "utf8")) as { groups: Record<string, string[]>; group_names: string[] };
        expect(groupsDict(found.inventory), `case ${c}: groups`).toEqual(theirs.groups);
        expect(hostVariables(found, host, dir, varsIn).get("group_names"), `case ${c}: group_names of ${host}`).toEqual(theirs.group_names);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 300_000);
});

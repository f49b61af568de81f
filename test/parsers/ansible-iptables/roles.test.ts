/**
 * An Ansible project's variables and roles as Ansible composes them (parsers/ansible/tasks.ts):
 * a play's roles with their parameters and meta dependencies, include_role, group_vars beside the
 * playbook (all, the play's group, a group's folder, an inventory/ folder's), vars_files, and
 * Ansible's order of precedence among them; a role's task file read on its own. The files live in
 * memory; test/kernel/ansible.test.ts runs a project with the real ansible-playbook.
 */
import { describe, expect, it } from "vitest";
import { parseAnsibleIptables } from "../../../parsers/ansible-iptables/index.js";
import type { Ruleset } from "../../../src/model/types.js";
import type { Value } from "../../../parsers/ansible/tasks.js";
import { readForEveryHost } from "../../../parsers/ansible/host-variants.js";

const ipt = (args: string) => `- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, ${args}, jump: ACCEPT }\n`;
const read = (files: Record<string, string>, file = "/repo/site.yml", extraVars?: Record<string, Value>) => {
  const dirs = new Map<string, string[]>();
  for (const p of Object.keys(files)) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/") || "/";
      const list = dirs.get(d) ?? [];
      if (!list.includes(parts[i]!)) list.push(parts[i]!);
      dirs.set(d, list.sort());
    }
  }
  return parseAnsibleIptables(files[file]!, file, { io: { readFile: (p) => files[p], listDir: (p) => dirs.get(p) }, root: "/repo", ...(extraVars ? { extraVars } : {}) });
};
/** INPUT's rules: "file:line port source condition". */
const rules = (rs: Ruleset) =>
  (rs.chains.get("filter/INPUT")?.rules ?? []).map((r) => {
    const port = r.conditions.find((c) => c.kind === "port");
    const addr = r.conditions.find((c) => c.kind === "addr");
    const unknown = r.conditions.filter((c) => c.kind === "unknown").map((c) => (c.kind === "unknown" ? c.text : ""));
    return [`${r.span.file}:${r.span.line}`, port?.kind === "port" ? port.ranges.map(([a]) => a).join(",") : "", addr?.kind === "addr" ? addr.ranges.map((x) => `${x.lo}`).join(",") : "", ...unknown].filter(Boolean).join(" ");
  });
const info = (rs: Ruleset) => rs.diagnostics.filter((d) => d.severity === "info").map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);

describe("a play's roles and variables", () => {
  it("precedence: role defaults < group_vars all < the play's group < play vars < vars_files < role vars < role parameters", () => {
    const rs = read({
      "/repo/site.yml": [
        "- hosts: mail",
        "  vars: { b: '2002', c: '3002', d: '4002' }",
        "  vars_files: [vars/extra.yml]",
        "  roles:",
        "    - role: fw",
        "      f: '6005'",
        "",
      ].join("\n"),
      "/repo/group_vars/all.yml": "a: '1001'\nb: '2001'\nx: '9001'\n",
      "/repo/group_vars/mail.yml": "x: '9002'\n",
      "/repo/vars/extra.yml": "d: '4003'\ne: '5003'\n",
      "/repo/roles/fw/defaults/main.yml": "a: '1000'\nb: '2000'\nf: '6000'\ng: '7000'\n",
      "/repo/roles/fw/vars/main.yml": "c: '3004'\ne: '5004'\n",
      "/repo/roles/fw/tasks/main.yml": ["a", "b", "c", "d", "e", "f", "g", "x"].map((v) => ipt(`destination_port: '{{ ${v} }}'`)).join(""),
    });
    expect(rules(rs).map((r) => r.split(" ")[1])).toEqual(["1001", "2002", "3004", "4003", "5004", "6005", "7000", "9002"]);
    expect(rules(rs)[0]).toBe("/repo/roles/fw/tasks/main.yml:1 1001");
  });

  it("roles run after pre_tasks and before tasks; a meta dependency first, and a role once per play; include_role with tasks_from and vars", () => {
    const rs = read({
      "/repo/site.yml": [
        "- hosts: all",
        "  pre_tasks:",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '1', jump: ACCEPT }",
        "  tasks:",
        "    - ansible.builtin.include_role: { name: web, tasks_from: open }",
        "      vars: { port: '8080' }",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '2', jump: ACCEPT }",
        "  roles: [base, mail]",
        "",
      ].join("\n"),
      "/repo/roles/base/tasks/main.yml": ipt("destination_port: '22'"),
      "/repo/roles/mail/meta/main.yml": "dependencies:\n  - base\n",
      "/repo/roles/mail/tasks/main.yml": ipt("destination_port: '25'"),
      "/repo/roles/web/tasks/main.yml": ipt("destination_port: '80'"),
      "/repo/roles/web/tasks/open.yml": ipt("destination_port: '{{ port }}'"),
    });
    expect(rules(rs)).toEqual(["/repo/site.yml:3 1", "/repo/roles/base/tasks/main.yml:1 22", "/repo/roles/mail/tasks/main.yml:1 25", "/repo/roles/web/tasks/open.yml:1 8080", "/repo/site.yml:7 2"]);
    // (base, asked for again by mail as its dependency, ran once: its rule stands once)
  });

  it("a role entry's when: and parameters with Jinja; group_vars as a folder and in inventory/", () => {
    const rs = read({
      "/repo/site.yml": ["- hosts: edge", "  roles:", "    - { role: fw, port: '{{ ssh_port }}', when: harden | bool }", ""].join("\n"),
      "/repo/inventory/group_vars/all.yml": "ssh_port: '2200'\nadmins: 192.0.2.0/24\n",
      "/repo/group_vars/edge/ssh.yml": "ssh_port: '2222'\n",
      "/repo/roles/fw/tasks/main.yml": ipt("destination_port: '{{ port }}', source: '{{ admins }}'"),
    });
    expect(rules(rs)).toEqual(["/repo/roles/fw/tasks/main.yml:1 2222 3221225984 when: harden | bool"]);
  });

  it("a role's task file read on its own: its defaults (a defaults/main/ folder here), group_vars/all beside the playbooks, its vars", () => {
    const files = {
      "/repo/group_vars/all.yml": "admins: 198.51.100.0/24\nport: '2000'\n",
      "/repo/roles/fw/defaults/main/ports.yml": "port: '1000'\nsmtp: '25'\n",
      "/repo/roles/fw/defaults/main/admins.yml": "admins: 10.0.0.0/8\n",
      "/repo/roles/fw/vars/main.yml": "port: '3000'\n",
      "/repo/roles/fw/tasks/main.yml": ipt("destination_port: '{{ port }}', source: '{{ admins }}'") + ipt("destination_port: '{{ smtp }}'"),
    };
    expect(rules(read(files, "/repo/roles/fw/tasks/main.yml"))).toEqual(["/repo/roles/fw/tasks/main.yml:1 3000 3325256704", "/repo/roles/fw/tasks/main.yml:2 25"]);
  });

  it("what it cannot follow is told: a role not in the tree, a vars file not there", () => {
    const rs = read({
      "/repo/site.yml": ["- hosts: all", "  vars_files: [vars/missing.yml]", "  roles: [geerlingguy.firewall]", "  tasks:", "    - " + ipt("destination_port: '22'").slice(2), ""].join("\n"),
    });
    expect(info(rs)).toEqual([
      "/repo/site.yml:2:16 vars_files entry vars/missing.yml is not read (not a file of the scanned tree, or a name fwlint cannot compute): a variable it defines is unknown here",
      "/repo/site.yml:3:11 role geerlingguy.firewall is not followed: no roles/geerlingguy.firewall/tasks folder beside the playbook in the scanned tree",
    ]);
    expect(rules(rs)).toEqual(["/repo/site.yml:5 22"]);
  });
});

describe("ansible.cfg", () => {
  it("roles_path finds roles in its folders; inventory names the group_vars of its inventory, below the playbook's own", () => {
    const files = {
      "/repo/ansible.cfg": "[defaults]\n; the project's roles, then those installed from Galaxy\nroles_path = ./roles:./galaxy_roles  # comment\ninventory = inventories/prod/hosts\n[ssh_connection]\nroles_path = ./not-this\n",
      "/repo/inventories/prod/hosts": "[mail]\nmx1\n",
      "/repo/inventories/prod/group_vars/all.yml": "admin_port: '2201'\nweb: '8001'\n",
      "/repo/inventories/prod/group_vars/mail.yml": "smtp: '25'\n",
      "/repo/inventory/group_vars/all.yml": "admin_port: '9999'\n",
      "/repo/playbooks/site.yml": "- hosts: mail\n  roles: [fw]\n",
      "/repo/playbooks/group_vars/all.yml": "web: '8080'\n",
      "/repo/galaxy_roles/fw/tasks/main.yml": ipt("destination_port: '{{ admin_port }}'") + ipt("destination_port: '{{ smtp }}'") + ipt("destination_port: '{{ web }}'"),
    };
    // (the inventory's group_vars of all and of the play's group; the playbook's folder's over them; not inventory/ beside the repository's top)
    expect(rules(read(files, "/repo/playbooks/site.yml")).map((r) => r.split(" ").slice(1).join(" "))).toEqual(["2201", "25", "8080"]);
  });
});

describe("extra variables (.fwlint.yaml ansibleVars)", () => {
  it("are above every other: play vars, vars_files, role vars and parameters, set_fact; and decide when:", () => {
    const files = {
      "/repo/site.yml": [
        "- hosts: mail",
        "  vars: { a: '1001' }",
        "  vars_files: [vars/extra.yml]",
        "  roles:",
        "    - role: fw",
        "      c: '3003'",
        "  tasks:",
        "    - ansible.builtin.set_fact: { d: '4004' }",
        "    " + ipt("destination_port: '{{ a }}'").trimEnd(),
        "    " + ipt("destination_port: '{{ b }}'").trimEnd(),
        "    " + ipt("destination_port: '{{ d }}'").trimEnd(),
        "    " + ipt("destination_port: '5005'").trimEnd(),
        "      when: ansible_os_family == 'Debian'",
        "",
      ].join("\n"),
      "/repo/vars/extra.yml": "b: '2002'\n",
      "/repo/roles/fw/vars/main.yml": "c: '3001'\n",
      "/repo/roles/fw/tasks/main.yml": ipt("destination_port: '{{ c }}'"),
    };
    // (without them: the role parameter, play vars, vars_files, the fact; the last task's when: unknown)
    expect(rules(read(files)).map((r) => r.split(" ").slice(1).join(" "))).toEqual(["3003", "1001", "2002", "4004", "5005 when: ansible_os_family == 'Debian'"]);
    const extra = read(files, undefined, { a: "25", b: "26", c: "27", d: "28", ansible_os_family: "RedHat" });
    // (with them: theirs everywhere, and the when: decided false)
    expect(rules(extra).map((r) => r.split(" ").slice(1).join(" "))).toEqual(["27", "25", "26", "28"]);
  });
});

describe("plays for several hosts", () => {
  it("are read as one host's firewall, and said once; plays for the same hosts are not", () => {
    const play = (hosts: string, port: string) => [`- hosts: ${hosts}`, "  tasks:", "    - " + ipt(`destination_port: '${port}'`).slice(2).trimEnd()];
    const rs = read({ "/repo/site.yml": [...play("mail", "25"), ...play("mail", "587"), ...play("web", "80"), ...play("[db, cache]", "5432"), ""].join("\n") });
    expect(rules(rs)).toEqual(["/repo/site.yml:3 25", "/repo/site.yml:6 587", "/repo/site.yml:9 80", "/repo/site.yml:12 5432"]);
    expect(info(rs)).toEqual(['/repo/site.yml:7:3 this play is for hosts "web", an earlier one for "mail": fwlint reads every play as the firewall of one host that all of them configure']);
  });
});

describe("Jinja filters on module arguments", () => {
  it("default(omit) leaves the argument out; int, string, lower, upper, trim, join and list as Jinja computes them; default(x, true) and default(variable)", () => {
    const rs = read({
      "/repo/site.yml": [
        "- hosts: all",
        "  vars:",
        "    rules:",
        "      - { port: 22, source: 192.0.2.0/24 }",
        "      - { port: '25' }",
        "    web: ['80', '443']",
        "    empty: ''",
        "    fallback: '8443'",
        "    proto: TCP",
        "  tasks:",
        "    - ansible.builtin.iptables:",
        "        chain: INPUT",
        "        protocol: '{{ proto | lower }}'",
        "        source: '{{ item.source | default(omit) }}'",
        "        destination_port: '{{ item.port | int }}'",
        "        jump: ACCEPT",
        "      loop: '{{ rules }}'",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_ports: '{{ web | list }}', jump: ACCEPT }",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: \"{{ web | join(':') }}\", jump: ACCEPT }",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '{{ empty | default(fallback, true) | trim }}', jump: ACCEPT }",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '{{ web | random }}', jump: ACCEPT }",
        "",
      ].join("\n"),
    });
    // (22 from the admins only; 25 from anyone: its source omitted; 80:443 a range)
    expect(rules(rs)).toEqual(["/repo/site.yml:11 22 3221225984", "/repo/site.yml:11 25", "/repo/site.yml:18 80,443", "/repo/site.yml:19 80", "/repo/site.yml:20 8443"]);
    expect(info(rs)).toEqual(["/repo/site.yml:21:7 task skipped: '{{ web | random }}' is a Jinja expression fwlint does not compute"]);
  });
});

describe("loops over mappings and joined lists", () => {
  it("with_dict and dict2items give key and value items; loop_control names the item; a + b joins lists", () => {
    const rs = read({
      "/repo/site.yml": [
        "- hosts: all",
        "  vars: { services: { smtp: '25', imap: '143' }, base_ports: ['22'], extra_ports: ['80', '443'] }",
        "  tasks:",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '{{ item.value }}', comment: '{{ item.key }}', jump: ACCEPT }",
        "      with_dict: '{{ services }}'",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '{{ svc.value | int + 1 }}', jump: ACCEPT }",
        "      loop: '{{ services | dict2items }}'",
        "      loop_control: { loop_var: svc }",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: udp, destination_port: '{{ item }}', jump: ACCEPT }",
        "      loop: '{{ base_ports + extra_ports }}'",
        "",
      ].join("\n"),
    });
    expect(rules(rs)).toEqual(["/repo/site.yml:4 25", "/repo/site.yml:4 143", "/repo/site.yml:6 26", "/repo/site.yml:6 144", "/repo/site.yml:9 22", "/repo/site.yml:9 80", "/repo/site.yml:9 443"]);
    expect(info(rs)).toEqual([]);
  });
});

describe("facts the tasks set", () => {
  it("set_fact and include_vars give later tasks their variables (above the play's and the role's); one set under an undecided when: is unknown", () => {
    const rs = read({
      "/repo/site.yml": ["- hosts: all", "  vars: { ssh: '22' }", "  roles: [fw]", ""].join("\n"),
      "/repo/roles/fw/vars/main.yml": "web: '80'\n",
      "/repo/roles/fw/vars/ports.yml": "web: '8080'\nmail: '25'\n",
      "/repo/roles/fw/tasks/main.yml": [
        "- ansible.builtin.set_fact: { ssh: '2222', admins: 192.0.2.0/24 }",
        "- ansible.builtin.include_vars: ports.yml",
        "- ansible.builtin.include_vars: { file: ports.yml, name: extra }",
        "- ansible.builtin.set_fact: { relay: '587' }",
        "  when: ansible_os_family == 'Debian'",
        "- ansible.builtin.include_vars: '{{ ansible_os_family }}.yml'",
        ipt("destination_port: '{{ ssh }}', source: '{{ admins }}'").trimEnd(),
        ipt("destination_port: '{{ web }}'").trimEnd(),
        ipt("destination_port: '{{ extra.mail }}'").trimEnd(),
        ipt("destination_port: '{{ relay }}'").trimEnd(),
        ipt("destination_port: '9999'").trimEnd(),
        "  when: relay | default(false)",
        "",
      ].join("\n"),
    });
    // (a fact set under an undecided condition is not replaced by a default: the last task may run)
    expect(rules(rs)).toEqual(["/repo/roles/fw/tasks/main.yml:7 2222 3221225984", "/repo/roles/fw/tasks/main.yml:8 8080", "/repo/roles/fw/tasks/main.yml:9 25", "/repo/roles/fw/tasks/main.yml:11 9999 when: relay | default(false)"]);
    expect(info(rs)).toEqual([
      "/repo/roles/fw/tasks/main.yml:6:3 include_vars is not read: 'ansible_os_family' is not defined where fwlint reads (the project's inventory, group_vars and host_vars, the play's vars and vars_files, the role's defaults, vars and parameters, block and task vars); the variables it defines are unknown here",
      "/repo/roles/fw/tasks/main.yml:10:3 task skipped: 'relay' is set only when: ansible_os_family == 'Debian', which depends on the host",
    ]);
  });
});

describe("when: decided by the variables fwlint reads", () => {
  it("a task, a loop's items, a role entry and a dependency run or not as their conditions decide; an undecided one stays an unknown condition", () => {
    const rs = read({
      "/repo/site.yml": [
        "- hosts: all",
        "  vars: { web: true, legacy: 'no', rules: [{ port: '80', open: true }, { port: '81', open: false }] }",
        "  roles:",
        "    - { role: fw, when: web }",
        "    - { role: old, when: legacy | bool }",
        "  tasks:",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '{{ item.port }}', jump: ACCEPT }",
        "      loop: '{{ rules }}'",
        "      when: item.open",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '110', jump: ACCEPT }",
        "      when: legacy | bool",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '8080', jump: ACCEPT }",
        "      when: ansible_os_family == 'Debian'",
        "",
      ].join("\n"),
      "/repo/roles/fw/meta/main.yml": "dependencies:\n  - { role: base, when: not web }\n",
      "/repo/roles/fw/tasks/main.yml": ipt("destination_port: '443'"),
      "/repo/roles/base/tasks/main.yml": ipt("destination_port: '22'"),
      "/repo/roles/old/tasks/main.yml": ipt("destination_port: '23'"),
    });
    expect(rules(rs)).toEqual(["/repo/roles/fw/tasks/main.yml:1 443", "/repo/site.yml:7 80", "/repo/site.yml:12 8080 when: ansible_os_family == 'Debian'"]);
    expect(info(rs)).toEqual(["/repo/site.yml:5:7 role old not run: when: legacy | bool is false with the variables fwlint reads", "/repo/site.yml:11:7 not run: when: legacy | bool is false with the variables fwlint reads"]);
  });
});

describe("loop lookups", () => {
  it("with_items flattens one level; with_subelements pairs (skip_missing), its parent without the list; with_together zips; item.0 is item[0]", () => {
    const rs = read({
      "/repo/site.yml": [
        "- hosts: all",
        "  vars:",
        "    a: ['22', '25']",
        "    teams: [{ name: ops, nets: [192.0.2.1, 192.0.2.2] }, { name: none }]",
        "  tasks:",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '{{ item }}', jump: ACCEPT }",
        "      with_items: ['{{ a }}', '80']",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: tcp, source: '{{ item.1 }}', destination_port: '{{ item.0.nets | default(443) }}', jump: ACCEPT }",
        "      with_subelements: ['{{ teams }}', nets, { skip_missing: true }]",
        "    - ansible.builtin.iptables: { chain: INPUT, protocol: udp, source: '{{ item.0 }}', destination_port: '{{ item.1 }}', jump: ACCEPT }",
        "      with_together: [[198.51.100.1, 198.51.100.2], ['123', '161']]",
        "",
      ].join("\n"),
    });
    expect(rules(rs)).toEqual([
      "/repo/site.yml:6 22",
      "/repo/site.yml:6 25",
      "/repo/site.yml:6 80",
      "/repo/site.yml:8 443 3221225985",
      "/repo/site.yml:8 443 3221225986",
      "/repo/site.yml:10 123 3325256705",
      "/repo/site.yml:10 161 3325256706",
    ]);
  });
});

describe("the project's inventory", () => {
  const inventory = [
    "[db]",
    "db[1:2].example.net",
    "[app]",
    "app1.example.net ansible_host=203.0.113.11",
    "app2.example.net ansible_host=203.0.113.12 app_port=8443",
    "[backend:children]",
    "db",
    "app",
    "[backend:vars]",
    "admin_net=192.0.2.0/24",
  ].join("\n");

  it("a play is read for the first host of its pattern: its groups' variables (parents too), host_vars, and groups and hostvars for loops", () => {
    const rs = read({
      "/repo/site.yml": "- hosts: db\n  tasks:\n" + [
        ipt("source: '{{ admin_net }}', destination_port: '22'"),
        ipt("source: '{{ hostvars[item].ansible_host }}', destination_port: '{{ pg_port }}'").replace("\n", "\n  loop: \"{{ groups['app'] }}\"\n"),
        ipt("source: '{{ replica_source }}', destination_port: '{{ pg_port }}'"),
      ].map((t) => t.replace(/^/gm, "    ").replace(/ {4}$/, "")).join(""),
      "/repo/inventory/hosts": inventory,
      "/repo/inventory/group_vars/db.yml": "pg_port: 5432\n",
      "/repo/inventory/host_vars/db1.example.net.yml": "replica_source: 198.51.100.7\n",
      "/repo/group_vars/backend.yml": "admin_net: 192.0.2.64/26\n",
    });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    // (the playbook's group_vars/backend.yml above the inventory's [backend:vars]; app2's port is its own, not the play host's)
    expect(rules(rs)).toEqual(["/repo/site.yml:3 22 3221226048", "/repo/site.yml:4 5432 3405803787", "/repo/site.yml:4 5432 3405803788", "/repo/site.yml:6 5432 3325256711"]);
    expect(info(rs)).toEqual([`/repo/site.yml:1:3 read for host db1.example.net, the first of the 2 hosts "db" names in the inventory (/repo/inventory/hosts): its groups' and its own variables`]);
  });

  it("the play's other hosts are read too: one whose variables give other rules is a variant of the ruleset, checked as well", () => {
    const files: Record<string, string> = {
      "/repo/site.yml": "- hosts: web\n  tasks:\n" + ipt("destination_port: '{{ item }}'").replace(/^/gm, "    ").replace(/ {4}$/, "").replace("\n", "\n      loop: '{{ open_ports }}'\n"),
      "/repo/hosts": "[web]\nweb1\nweb2\nweb3\nweb4\n",
      "/repo/group_vars/web.yml": "open_ports: [443]\n",
      "/repo/host_vars/web3.yml": "open_ports: [443, 3306]\n",
      "/repo/host_vars/web4.yml": "open_ports: [443, 3306]\n",
    };
    const dirs = new Map<string, string[]>([["/repo", ["group_vars", "host_vars", "hosts", "site.yml"]], ["/repo/group_vars", ["web.yml"]], ["/repo/host_vars", ["web3.yml", "web4.yml"]]]);
    const opts = { io: { readFile: (p: string) => files[p], listDir: (p: string) => dirs.get(p) }, root: "/repo" };
    const rs = readForEveryHost((o) => parseAnsibleIptables(files["/repo/site.yml"]!, "/repo/site.yml", o), opts, "/repo/site.yml");
    expect(rules(rs)).toEqual(["/repo/site.yml:3 443"]);
    // (web3 and web4 read alike: one variant)
    expect(rs.variants?.map((v) => [v.label, rules(v.ruleset)])).toEqual([["as read for host web3", ["/repo/site.yml:3 443", "/repo/site.yml:3 3306"]]]);
    expect(info(rs)).toContain('/repo/site.yml:1:1 read for host web1; web3, web4 get other rules from their variables (at line 3): checked as read for web3 too (what only that opens is labelled "as read for host web3")');
    delete files["/repo/host_vars/web3.yml"];
    delete files["/repo/host_vars/web4.yml"];
    const same = readForEveryHost((o) => parseAnsibleIptables(files["/repo/site.yml"]!, "/repo/site.yml", o), opts, "/repo/site.yml");
    expect(same.variants).toBeUndefined();
    expect(info(same)).toContain("/repo/site.yml:1:1 read for host web1; the plays' other hosts in the inventory (3) get the same rules");
  });

  it("a pattern the inventory names no host of reads the group_vars of all and of the group, as before", () => {
    const rs = read({
      "/repo/site.yml": "- hosts: edge\n  tasks:\n" + ipt("source: '{{ admin_net }}', destination_port: '22'").replace(/^/gm, "    ").replace(/ {4}$/, ""),
      "/repo/inventory/hosts": inventory,
      "/repo/group_vars/edge.yml": "admin_net: 10.9.0.0/16\n",
    });
    expect(rules(rs)).toEqual(["/repo/site.yml:3 22 168361984"]);
  });

  it("YAML is read as Ansible reads it (YAML 1.1): no, off and yes are booleans, so a when: on them is decided", () => {
    const rs = read({
      "/repo/site.yml": "- hosts: all\n  tasks:\n" + ipt("destination_port: '25'").replace(/^/gm, "    ").replace(/ {4}$/, "").replace("\n", "\n      when: smtp_open\n") + ipt("destination_port: '22'").replace(/^/gm, "    ").replace(/ {4}$/, "").replace("\n", "\n      when: ssh_open\n"),
      "/repo/group_vars/all.yml": "smtp_open: no\nssh_open: yes\n",
    });
    expect(rules(rs)).toEqual(["/repo/site.yml:5 22"]);
  });
});

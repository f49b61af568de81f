/**
 * Jinja templates of firewall files: the renderer (parsers/ansible/template.ts) as Ansible's
 * template module renders, and the reader (parsers/ansible-template) that renders a template with
 * the variables of the task that writes it and reads the output, its findings at the template's
 * lines. test/kernel/ansible-template.test.ts compares the renderer with the real Ansible and Jinja.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderTemplate } from "../../../parsers/ansible/template.js";
import { detectAnsibleTemplate } from "../../../parsers/ansible-template/detect.js";
import { parseTemplate } from "./registry.js";
import { analyzeText } from "../../../src/engine/check.js";
import { detectFormat, loadFormats, parseAs } from "../../../src/engine/formats.js";
import type { Value } from "../../../parsers/ansible/tasks.js";

const ROOT = join(import.meta.dirname, "../../..");
const render = (src: string, vars: Record<string, Value> = {}) => renderTemplate(src, new Map(Object.entries(vars)));
const text = (src: string, vars: Record<string, Value> = {}) => {
  const r = render(src, vars);
  if ("why" in r) throw new Error(`not rendered: ${r.why} at ${r.line}:${r.column}`);
  return r.text;
};

describe("the renderer", () => {
  it("runs macros: called alone with positional and named arguments, defaults, the template's sets; their rules at the macro's lines", () => {
    const src = "{% macro allow(port, src='0.0.0.0/0') %}\n-A INPUT -s {{ src }} -p tcp --dport {{ port }} -j ACCEPT\n{% endmacro %}\n*filter\n{{ allow(22, src=admin) }}\n{% for p in ports %}\n{{ allow(p) }}\n{% endfor %}\nCOMMIT\n";
    const r = render(src, { admin: "192.0.2.0/24", ports: [25] });
    if ("why" in r) throw new Error(r.why);
    expect(r.text).toBe("*filter\n-A INPUT -s 192.0.2.0/24 -p tcp --dport 22 -j ACCEPT\n\n-A INPUT -s 0.0.0.0/0 -p tcp --dport 25 -j ACCEPT\n\nCOMMIT\n");
    // (each rule at the macro's body line, where the port and source are written)
    expect(r.lines).toEqual([4, 2, 5, 2, 7, 9]);
    // (a macro does not see the caller's loop variables; an unknown parameter or a missing argument is said)
    expect(render("{% macro m() %}{{ p }}{% endmacro %}{% for p in [1] %}{{ m() }}{% endfor %}")).toMatchObject({ why: expect.stringContaining("'p' is not defined") });
    expect(render("{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}")).toMatchObject({ why: "macro 'm' is called without its argument 'a'", line: 1 });
    expect(render("{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, b=2) }}")).toMatchObject({ why: "macro 'm' has no parameter 'b'" });
  });

  it("writes loops, conditions and values with Ansible's trim_blocks", () => {
    const src = "*filter\n{% for p in ports %}\n-A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\n{% if log %}\n-A INPUT -j LOG\n{% else %}\n# no log\n{% endif %}\nCOMMIT\n";
    expect(text(src, { ports: [22, 25], log: false })).toBe("*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 25 -j ACCEPT\n# no log\nCOMMIT\n");
  });
  it("applies whitespace control and the #jinja2: header", () => {
    expect(text("a\n  {%- if t %} b {%- endif %}\nc", { t: true })).toBe("a bc");
    // (Ansible gives the output the template's trailing newline back)
    expect(text("{% for x in l -%}\n  {{ x }}\n{%- endfor %}\n", { l: [1, 2] })).toBe("12\n");
    expect(text("#jinja2: trim_blocks: False\n{% if t %}\nx\n{% endif %}\n", { t: true })).toBe("\nx\n");
    expect(text("#jinja2: lstrip_blocks: True\n  {% if t %}\nx\n  {% endif %}\n", { t: true })).toBe("x\n");
    expect(text("{% raw %}{{ not rendered }}{% endraw %}")).toBe("{{ not rendered }}");
    expect(text("a{# note #}\nb")).toBe("ab");
  });
  it("goes over mappings' items, ranges, filtered loops, and knows loop.*", () => {
    const svc = { smtp: { port: 25 }, dns: { port: 53 } };
    expect(text("{% for n, s in svc.items() %}{{ n }}={{ s.port }}{{ ',' if not loop.last }}{% endfor %}", { svc })).toBe("smtp=25,dns=53");
    expect(text("{% for i in range(1, 4) if i != 2 %}{{ loop.index }}:{{ i }} {% endfor %}")).toBe("1:1 2:3 ");
    expect(text("{% for x in [] %}x{% else %}none{% endfor %}")).toBe("none");
    expect(text("{% set a = 'p' ~ 1 %}{{ a }} {{ l[1] }} {{ l | join(',') }} {{ d['k'] | default('z') }}", { l: [7, 8], d: {} })).toBe("p1 8 7,8 z");
  });
  it("computes the list filters templates use, as Ansible does (test/kernel/ansible-template.test.ts compares them with it)", () => {
    const svcs = [
      { name: "web", port: 80, open: true, proto: "tcp" },
      { name: "dns", port: 53, open: false, proto: "udp" },
    ];
    const vars = { ports: [80, 22, 80, 443], names: ["b", "A", "c"], nested: [[1, [2, 3]], 4, null], svcs, more: [443, 25], strs: ["10", "9"] };
    expect(text("{{ ports | unique | join(',') }}|{{ ports | sort | join(',') }}|{{ names | sort | join(',') }}|{{ ports | first }}|{{ ports | last }}", vars)).toBe("80,22,443|22,80,80,443|A,b,c|80|443");
    expect(text("{{ nested | flatten | join(',') }}|{{ svcs | selectattr('open') | map(attribute='name') | join(',') }}|{{ svcs | rejectattr('open') | map(attribute='port') | join(',') }}", vars)).toBe("1,2,3,4|web|53");
    expect(text("{{ ports | union(more) | join(',') }}|{{ ports | difference(more) | join(',') }}|{{ ports | intersect(more) | join(',') }}|{{ x | d('z') }}", vars)).toBe("80,22,443,25|80,22|443|z");
    expect(text("{{ strs | map('int') | sort | join(',') }}|{{ svcs | selectattr('proto', 'equalto', 'udp') | map(attribute='name') | join(',') }}", vars)).toBe("9,10|dns");
    expect(render("{{ ports | random }}", vars)).toMatchObject({ why: expect.stringContaining("does not compute") });
  });

  it("reads a variable it does not know as not defined in `is defined`, and says which", () => {
    const r = render("{% if extra_rules is defined %}{{ extra_rules }}{% endif %}x");
    expect(r).toMatchObject({ text: "x", assumedUndefined: ["extra_rules"] });
  });
  it("says where it stops: an unknown variable, an undecided condition, an unknown statement, an unclosed block", () => {
    expect(render("a\n  -A INPUT -i {{ ansible_default_ipv4.interface }}\n")).toMatchObject({ line: 2, column: 15, why: expect.stringContaining("'ansible_default_ipv4.interface' is not defined") });
    expect(render("x\n{% if ansible_os_family == 'Debian' %}y{% endif %}")).toMatchObject({ line: 2, column: 1, why: expect.stringContaining("not decided") });
    expect(render("{% call m() %}{% endcall %}")).toMatchObject({ line: 1, column: 1, why: expect.stringContaining("does not run") });
    expect(render("\n{% for x in l %}")).toMatchObject({ line: 2, why: expect.stringContaining("endfor") });
    expect(render("{{ a")).toMatchObject({ line: 1, why: expect.stringContaining("not closed") });
  });
  it("includes templates through the caller's loader, with the includer's variables, each line's file and line kept", () => {
    const files: Record<string, string> = { "ports.j2": "{% for p in ports %}\nopen {{ p }}\n{% endfor %}\n", "bad.j2": "ok\n{{ nope }}\n" };
    const load = (name: string) => (files[name] === undefined ? undefined : { text: files[name]!, file: name });
    const r = renderTemplate("head\n{% include 'ports.j2' %}\n{% include 'none.j2' ignore missing %}\ntail\n", new Map(Object.entries({ ports: [22, 25] })), load);
    expect(r).toMatchObject({ text: "head\nopen 22\nopen 25\ntail\n", lines: [1, 2, 2, 4], files: [undefined, "ports.j2", "ports.j2", undefined] });
    expect(renderTemplate("{% include 'bad.j2' %}", new Map(), load)).toMatchObject({ file: "bad.j2", line: 2, column: 1, why: expect.stringContaining("'nope' is not defined") });
    expect(renderTemplate("x\n{% include 'none.j2' %}", new Map(), load)).toMatchObject({ line: 2, why: expect.stringContaining("'none.j2' is not found") });
  });

  it("maps each output line to the template line it came from", () => {
    const r = render("head\n{% for p in ports %}\nrule {{ p }}\n{% endfor %}\ntail\n", { ports: [1, 2] });
    expect(r).toMatchObject({ lines: [1, 3, 3, 5] });
  });
});

describe("detection", () => {
  it("takes templates of iptables-save, nft and scripts, not playbooks or plain files", () => {
    expect(detectAnsibleTemplate("*filter\n:INPUT {{ p }} [0:0]\n{% for x in l %}\n-A INPUT -p tcp --dport {{ x }} -j ACCEPT\n{% endfor %}\nCOMMIT\n")).toBe(true);
    expect(detectAnsibleTemplate("table inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n{% for p in ports %}\n  tcp dport {{ p }} accept\n{% endfor %}\n }\n}\n")).toBe(true);
    expect(detectAnsibleTemplate("---\n- hosts: all\n  tasks:\n    - shell: iptables -A INPUT -p tcp --dport {{ port }} -j ACCEPT\n")).toBe(false);
    expect(detectAnsibleTemplate("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")).toBe(false);
    expect(detectAnsibleTemplate("Hello {{ name }}\n{% if x %}y{% endif %}\n")).toBe(false);
    // a script handing Go templates to docker is a script
    const docker = "#!/bin/sh\nIP=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' web)\niptables -A FORWARD -d \"$IP\" -p tcp --dport 80 -j ACCEPT\n";
    expect(detectAnsibleTemplate(docker)).toBe(false);
    expect(detectFormat(docker)).toBe("iptables-script");
    expect(detectAnsibleTemplate("#!/bin/sh\n{% for p in ports %}\niptables -A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\n")).toBe(true);
    expect(detectFormat("*filter\n{% for x in l %}\n-A INPUT -s {{ x }} -j ACCEPT\n{% endfor %}\nCOMMIT\n")).toBe("ansible-template");
  });
});

describe("the reader", () => {
  beforeAll(() => loadFormats(["ansible-template"]));
  const project = join(ROOT, "fixtures/ansible-template/mail-project");
  it("renders a role's template with its playbook's role parameters, group_vars and the role's defaults", () => {
    const file = join(project, "roles/firewall/templates/rules.v4.j2");
    const rs = parseTemplate(readFileSync(file, "utf8"), file);
    expect(rs.format).toBe("ansible-template");
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(rs.diagnostics.map((d) => d.message).join("\n")).toContain("run by");
    const input = rs.chains.get("filter/INPUT")!;
    expect(input.policy).toBe("drop");
    // the admins' networks (group_vars/all.yml) at the loop's body, ports 25 and 587 (the role parameter, 22 filtered out)
    expect(input.rules.map((r) => `${r.span.file.slice(project.length + 1)}:${r.span.line}`)).toEqual([
      ...[6, 7, 8, 11, 11, 14, 14].map((l) => `roles/firewall/templates/rules.v4.j2:${l}`),
      // a template it includes: the rule at that file's line
      "roles/firewall/templates/partials/drop-invalid.j2:3",
    ]);
    expect(input.rules[5]!.span.text).toContain("{{ port }}");
    expect(rs.includedLines?.get(join(project, "roles/firewall/templates/partials/drop-invalid.j2"))?.[2]).toBe("-A INPUT -m conntrack --ctstate INVALID -j DROP");
  });
  it("finds SMTP open to everyone at the template line that writes it, and IPv6 through rules.v6.j2", async () => {
    await loadFormats();
    for (const [name, line] of [["rules.v4.j2", 14], ["rules.v6.j2", 10]] as const) {
      const file = join(project, "roles/firewall/templates", name);
      const res = analyzeText(file, readFileSync(file, "utf8"));
      const smtp = res.findings.filter((f) => f.ruleId === "exposed-service" && /SMTP/.test(f.message));
      expect(smtp.map((f) => f.location.line)).toEqual([line]);
      // SSH is open to the admins' networks only
      expect(res.findings.some((f) => /SSH/.test(f.message))).toBe(false);
    }
  });
  it("reads an nftables template written by a play's own task, with the play's vars", async () => {
    await loadFormats();
    const file = join(ROOT, "fixtures/ansible-template/nft-host/templates/nftables.conf.j2");
    const res = analyzeText(file, readFileSync(file, "utf8"));
    expect(res.file.format).toBe("ansible-template");
    const high = res.findings.filter((f) => f.severity === "high");
    expect(high.map((f) => `${f.location.line}:${f.location.column} ${f.message}`)).toEqual([
      "18:3 SMTP (tcp/25) is reachable from any IPv4 source on the inbound path",
      "18:3 SMTP (tcp/25) is reachable from any IPv6 source on the inbound path",
    ]);
    // DNS is in the services but not open; SSH only from 203.0.113.0/24
    expect(res.findings.some((f) => /DNS|SSH/.test(f.message))).toBe(false);
  });
  it("tells a template it cannot render at its place, as an error of fwlint's reading, and reads nothing from it", () => {
    const src = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i {{ ansible_default_ipv4.interface }} -p tcp --dport 25 -j ACCEPT\nCOMMIT\n";
    const rs = parseTemplate(src, "/nowhere/rules.v4.j2", { io: { readFile: () => undefined, listDir: () => undefined }, root: "/nowhere" });
    const errors = rs.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toMatchObject([{ line: 3, column: 13, unread: true, message: expect.stringContaining("not rendered") }]);
    expect(rs.chains.size).toBe(0);
  });
  it("takes extra variables (.fwlint.yaml ansibleVars) over every other: a fact the template needs, a condition of the task", () => {
    const files: Record<string, string> = {
      "/r/site.yml": "- hosts: edge\n  vars: { smtp: 2525 }\n  tasks:\n    - ansible.builtin.template: { src: rules.v4.j2, dest: /etc/iptables/rules.v4 }\n      when: ansible_os_family == 'Debian'\n",
      "/r/templates/rules.v4.j2": "*filter\n:INPUT DROP [0:0]\n-A INPUT -i {{ ansible_default_ipv4.interface }} -p tcp --dport {{ smtp }} -j ACCEPT\nCOMMIT\n",
    };
    const file = "/r/templates/rules.v4.j2";
    const io = { readFile: (p: string) => files[p], listDir: (p: string) => (p === "/r" ? ["site.yml", "templates"] : undefined) };
    const without = parseTemplate(files[file]!, file, { io, root: "/r" });
    expect(without.diagnostics.find((d) => d.severity === "error")).toMatchObject({ line: 3, column: 13, message: expect.stringContaining(".fwlint.yaml's ansibleVars") });
    const given = parseTemplate(files[file]!, file, { io, root: "/r", extraVars: { ansible_default_ipv4: { interface: "ens3" }, ansible_os_family: "Debian", smtp: 25 } });
    expect(given.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    // (the task's when: decided by them: no condition told)
    expect(given.diagnostics.some((d) => /runs only when/.test(d.message))).toBe(false);
    const rule = given.chains.get("filter/INPUT")!.rules[0]!;
    expect(rule.span.line).toBe(3);
    expect(rule.conditions).toContainEqual({ kind: "iface", field: "iif", name: "ens3", prefix: false });
    expect(rule.conditions).toContainEqual({ kind: "port", field: "dport", ranges: [[25, 25]] });
  });

  it("finds the writer in playbooks/ and the role through ansible.cfg's roles_path, with its inventory's group_vars", () => {
    const files: Record<string, string> = {
      "/r/ansible.cfg": "[defaults]\nroles_path = galaxy_roles\ninventory = inventories/prod/hosts.yml\n",
      "/r/inventories/prod/group_vars/all.yml": "admin_net: 192.0.2.0/24\n",
      "/r/playbooks/site.yml": "- hosts: edge\n  roles:\n    - role: fw\n      ports: [25]\n",
      "/r/galaxy_roles/fw/tasks/main.yml": "- ansible.builtin.template: { src: rules.v4.j2, dest: /etc/iptables/rules.v4 }\n",
      "/r/galaxy_roles/fw/templates/rules.v4.j2": "*filter\n:INPUT DROP [0:0]\n-A INPUT -s {{ admin_net }} -p tcp --dport 22 -j ACCEPT\n{% for p in ports %}\n-A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\nCOMMIT\n",
    };
    const dirs: Record<string, string[]> = { "/r": ["ansible.cfg", "galaxy_roles", "inventories", "playbooks"], "/r/playbooks": ["site.yml"], "/r/galaxy_roles/fw/tasks": ["main.yml"], "/r/inventories/prod": ["group_vars", "hosts.yml"] };
    const file = "/r/galaxy_roles/fw/templates/rules.v4.j2";
    const rs = parseTemplate(files[file]!, file, { io: { readFile: (p) => files[p], listDir: (p) => dirs[p] }, root: "/r" });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(rs.diagnostics[0]!.message).toContain("run by /r/playbooks/site.yml");
    const rules = rs.chains.get("filter/INPUT")!.rules;
    expect(rules.map((r) => r.span.line)).toEqual([3, 5]);
    expect(rules[1]!.conditions).toContainEqual({ kind: "port", field: "dport", ranges: [[25, 25]] });
  });

  it("reads what it renders as the format's own reader reads that file: an nft define naming the inside interface beside the WAN", () => {
    const files: Record<string, string> = {
      "/r/site.yml": "- hosts: all\n  vars: { wan: eth0, lan: eth1 }\n  tasks:\n    - ansible.builtin.template: { src: nftables.conf.j2, dest: /etc/nftables.conf }\n",
      "/r/templates/nftables.conf.j2": "define WAN = {{ wan }}\ndefine LAN = {{ lan }}\ntable inet f {\n chain input {\n  type filter hook input priority 0; policy drop;\n  iifname $LAN tcp dport 22 accept\n  iifname $WAN tcp dport 443 accept\n }\n}\n",
    };
    const file = "/r/templates/nftables.conf.j2";
    const rs = parseTemplate(files[file]!, file, { io: { readFile: (p) => files[p], listDir: (p) => (p === "/r" ? ["site.yml", "templates"] : undefined) }, root: "/r" });
    expect(rs.internalInterfaces).toEqual(["eth1"]);
    expect(rs.diagnostics.find((d) => /taken as inside interface/.test(d.message))).toMatchObject({ file, line: 2 });
  });

  it("a play for several hosts of the inventory: rendered for its first host, and for the others - those that write other rules are read too, and told where", () => {
    const files: Record<string, string> = {
      "/r/hosts": "[web]\nweb1\nweb2\nweb3\n",
      "/r/group_vars/web.yml": "open_ports: [443]\n",
      "/r/host_vars/web3.yml": "open_ports: [443, 8080]\n",
      "/r/site.yml": "- hosts: web\n  tasks:\n    - ansible.builtin.template: { src: rules.v4.j2, dest: /etc/iptables/rules.v4 }\n",
      "/r/templates/rules.v4.j2": "# {{ inventory_hostname }}\n*filter\n:INPUT DROP [0:0]\n{% for p in open_ports %}\n-A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\nCOMMIT\n",
    };
    const dirs: Record<string, string[]> = { "/r": ["group_vars", "host_vars", "hosts", "site.yml", "templates"], "/r/group_vars": ["web.yml"], "/r/host_vars": ["web3.yml"] };
    const file = "/r/templates/rules.v4.j2";
    const read = () => parseTemplate(files[file]!, file, { io: { readFile: (p) => files[p], listDir: (p) => dirs[p] }, root: "/r" });
    let rs = read();
    expect(rs.diagnostics.map((d) => d.message)).toContain('read for host web1; web3 gets other rules from its variables (at line 5): checked as read for web3 too (what only that opens is labelled "as read for host web3")');
    expect(rs.chains.get("filter/INPUT")!.rules.map((r) => r.span.line)).toEqual([5]);
    // (web3's rendering is read too, its rules at the template's lines: the checks run on it as well)
    expect(rs.variants?.map((v) => v.label)).toEqual(["as read for host web3"]);
    expect(rs.variants![0]!.ruleset.chains.get("filter/INPUT")!.rules.map((r) => `${r.span.line} ${JSON.stringify(r.conditions.find((c) => c.kind === "port"))}`)).toEqual([
      `5 {"kind":"port","field":"dport","ranges":[[443,443]]}`,
      `5 {"kind":"port","field":"dport","ranges":[[8080,8080]]}`,
    ]);
    // (a comment naming the host is no difference)
    delete files["/r/host_vars/web3.yml"];
    rs = read();
    expect(rs.diagnostics.map((d) => d.message)).toContain("read for host web1; the plays' other hosts in the inventory (2) get the same rules");
    expect(rs.variants).toBeUndefined();
  });

  it("takes each inventory host's facts from ansibleHostVars: in its own variables and in hostvars for the others", () => {
    const files: Record<string, string> = {
      "/r/hosts": "[db]\ndb1\ndb2\n",
      "/r/site.yml": "- hosts: db\n  tasks:\n    - ansible.builtin.template: { src: rules.v4.j2, dest: /etc/iptables/rules.v4 }\n",
      "/r/templates/rules.v4.j2": "*filter\n:INPUT DROP [0:0]\n{% for h in groups['db'] if h != inventory_hostname %}\n-A INPUT -s {{ hostvars[h].ansible_default_ipv4.address }} -p tcp --dport 5432 -j ACCEPT\n{% endfor %}\n-A INPUT -d {{ ansible_default_ipv4.address }} -p tcp --dport 22 -j ACCEPT\nCOMMIT\n",
    };
    const file = "/r/templates/rules.v4.j2";
    const io = { readFile: (p: string) => files[p], listDir: (p: string) => (p === "/r" ? ["hosts", "site.yml", "templates"] : undefined) };
    // (without them the facts are not known: the template is not rendered)
    expect(parseAs("ansible-template", files[file]!, file, { includeIo: io, root: "/r" }).diagnostics.find((d) => d.severity === "error")?.message).toContain("'hostvars[h].ansible_default_ipv4.address' is not defined");
    const hostVars = { db1: { ansible_default_ipv4: { address: "10.0.0.11" } }, db2: { ansible_default_ipv4: { address: "10.0.0.12" } } };
    const rs = parseAs("ansible-template", files[file]!, file, { includeIo: io, root: "/r", ansibleHostVars: hostVars });
    expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const addrs = (r: typeof rs) => r.chains.get("filter/INPUT")!.rules.map((x) => x.conditions.filter((c) => c.kind === "addr").map((c) => (c.kind === "addr" ? `${c.field} ${c.ranges[0]!.lo}` : "")).join(" "));
    // (db1 reads db2's address and its own; db2, a variant, the other way round)
    expect(addrs(rs)).toEqual([`src ${0x0a00000c}`, `dst ${0x0a00000b}`]);
    expect(addrs(rs.variants![0]!.ruleset)).toEqual([`src ${0x0a00000b}`, `dst ${0x0a00000c}`]);
  });

  it("renders with the role's defaults when no task writing the template is found, and says so", () => {
    const files: Record<string, string> = {
      "/r/roles/fw/defaults/main.yml": "open_ports: [25]\n",
      "/r/roles/fw/templates/rules.v4.j2": "*filter\n:INPUT DROP [0:0]\n{% for p in open_ports %}\n-A INPUT -p tcp --dport {{ p }} -j ACCEPT\n{% endfor %}\nCOMMIT\n",
    };
    const file = "/r/roles/fw/templates/rules.v4.j2";
    const rs = parseTemplate(files[file]!, file, { io: { readFile: (p) => files[p], listDir: () => undefined }, root: "/r" });
    expect(rs.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining("no task found"));
    expect(rs.chains.get("filter/INPUT")!.rules.map((r) => r.span.line)).toEqual([4]);
  });
});

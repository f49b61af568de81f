/**
 * Ansible's ufw tasks read as the ufw commands community.general.ufw runs for them
 * (parsers/ansible-ufw): what is recognised, the command each task's arguments make (checked
 * through the ufw command model, which test/parsers/ufw-script holds against the real ufw),
 * loops, variables, imports, role defaults, `when:` as an unknown condition, and what is told
 * and left out. The files live in memory.
 */
import { describe, expect, it } from "vitest";
import { detectAnsibleUfw, parseAnsibleUfw } from "../../../parsers/ansible-ufw/index.js";
import type { IncludeIo } from "../../../parsers/file-io.js";
import { detectFormat } from "../../../src/engine/formats.js";
import type { Ruleset } from "../../../src/model/types.js";

const FILE = "/repo/site.yml";
const read = (text: string, files: Record<string, string> = {}, file = FILE) => {
  const io: IncludeIo = { readFile: (p) => files[p], listDir: () => undefined };
  return parseAnsibleUfw(text, file, { io, root: "/repo" });
};
/** The user rules of the IPv4 input chain: "file:line:column conditions action". */
const user = (rs: Ruleset, chain = "filter/ufw-user-input") =>
  (rs.chains.get(chain)?.rules ?? []).map((r) => {
    const port = r.conditions.find((c) => c.kind === "port");
    const addr = r.conditions.find((c) => c.kind === "addr");
    const unknown = r.conditions.filter((c) => c.kind === "unknown").map((c) => (c.kind === "unknown" ? c.text : ""));
    const what = [port && port.kind === "port" ? `dport=${port.ranges.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(",")}` : "", addr && addr.kind === "addr" ? `${addr.field}` : "", ...unknown].filter(Boolean).join(" ");
    return `${r.span.file === FILE ? "" : `${r.span.file}:`}${r.span.line}:${r.span.column} ${what} ${r.action.kind}`;
  });
const said = (rs: Ruleset, severity = "info") => rs.diagnostics.filter((d) => d.severity === severity && !/^read as ufw loads it|does not enable ufw/.test(d.message)).map((d) => `${d.line}:${d.column} ${d.message}`);

describe("recognising Ansible's ufw tasks", () => {
  it("a YAML list whose tasks call the ufw module with rule, default/policy or state", () => {
    expect(detectAnsibleUfw("- name: ssh\n  community.general.ufw:\n    rule: allow\n    port: '22'\n")).toBe(true);
    expect(detectAnsibleUfw("---\n- hosts: all\n  tasks:\n    - ufw: rule=allow port=22\n")).toBe(true);
    expect(detectAnsibleUfw("- community.general.ufw: { rule: allow, port: '22' }\n")).toBe(true);
    expect(detectAnsibleUfw("- name: install\n  apt:\n    name: ufw\n")).toBe(false);
    expect(detectAnsibleUfw("ufw:\n  rule: allow\n")).toBe(false);
    expect(detectFormat("- community.general.ufw:\n    state: enabled\n")).toBe("ansible-ufw");
  });
});

describe("reading Ansible's ufw tasks", () => {
  it("each task the command the module runs, at its module key; loops, play and task vars, key=value arguments", () => {
    const rs = read(
      [
        "- hosts: all",
        "  vars:",
        "    admins: 192.0.2.0/24",
        "    ports: [80, 443]",
        "  tasks:",
        "    - community.general.ufw:",
        "        rule: allow",
        '        from_ip: "{{ admins }}"',
        "        to_port: '22'",
        "        proto: tcp",
        "    - ufw:",
        "        rule: allow",
        '        port: "{{ item }}"',
        "        proto: tcp",
        '      loop: "{{ ports }}"',
        "    - ufw: rule=deny port=23",
        "    - community.general.ufw:",
        "        rule: allow",
        '        port: "{{ item.port }}"',
        '        proto: "{{ item.proto | default(\'tcp\') }}"',
        "      with_items:",
        "        - { port: 53, proto: udp }",
        "        - { port: 8080 }",
        "",
      ].join("\n"),
    );
    expect(user(rs)).toEqual(["6:7 dport=22 src accept", "11:7 dport=80 accept", "11:7 dport=443 accept", "16:7 dport=23 drop", "16:7 dport=23 drop", "17:7 dport=53 accept", "17:7 dport=8080 accept"]);
    expect(said(rs, "error")).toEqual([]);
    expect(said(rs)).toEqual([]);
  });

  it("YAML aliases and merge keys are the values they stand for; a rule added again stays where it was first made", () => {
    const rs = read(["- community.general.ufw: &base", "    rule: allow", "    port: '22'", "    proto: tcp", "- community.general.ufw: *base", "- community.general.ufw:", "    <<: *base", "    port: '25'", ""].join("\n"));
    expect(user(rs)).toEqual(["1:3 dport=22 accept", "6:3 dport=25 accept"]);
  });

  it("a task with when: may not run: its rules carry the condition as unknown; blocks pass theirs down", () => {
    const rs = read(["- when: relay", "  block:", "    - community.general.ufw: { rule: allow, port: '25', proto: tcp }", "      when: smtp_open | bool", ""].join("\n"));
    expect(user(rs)).toEqual(["3:7 dport=25 when: relay and smtp_open | bool accept"]);
  });

  it("defaults, policies and state as the module orders them; imports of the tree; a role's defaults", () => {
    const files = {
      "/repo/roles/fw/defaults/main.yml": "ssh_port: 2222\n",
      "/repo/roles/fw/tasks/rules.yml": "- community.general.ufw:\n    rule: limit\n    port: '{{ ssh_port }}'\n    proto: tcp\n",
    };
    const main = "- community.general.ufw:\n    state: enabled\n    policy: allow\n    direction: outgoing\n- import_tasks: rules.yml\n";
    const rs = read(main, files, "/repo/roles/fw/tasks/main.yml");
    // (limit's three rules: the recent list, the limit, the accept - at the imported task)
    expect(user(rs)).toEqual(["/repo/roles/fw/tasks/rules.yml:1:3 dport=2222 -m recent --set continue", "/repo/roles/fw/tasks/rules.yml:1:3 dport=2222 -m recent --update --seconds 30 --hitcount 6 jump", "/repo/roles/fw/tasks/rules.yml:1:3 dport=2222 jump"]);
    expect(rs.diagnostics.find((d) => /read as ufw loads it/.test(d.message))?.message).toContain("default policies incoming DROP, outgoing ACCEPT, routed DROP");
    expect(rs.diagnostics.some((d) => /does not enable ufw|is disabled/.test(d.message))).toBe(false);
  });

  it("what it cannot know is told and left out; what the module refuses is an error", () => {
    const rs = read(
      [
        "- community.general.ufw: { rule: allow, port: '{{ undefined_port }}' }",
        "- community.general.ufw: { rule: allow, port: '{{ ports | random }}' }",
        "- community.general.ufw: { rule: allow, port: '22', insert: 1, insert_relative_to: last-ipv4 }",
        "- community.general.ufw: { rule: allow, direction: incoming, port: '80' }",
        "- import_tasks: /etc/elsewhere.yml",
        "",
      ].join("\n"),
    );
    expect(user(rs)).toEqual([]);
    expect(said(rs)).toEqual([
      "1:3 task skipped: 'undefined_port' is not defined where fwlint reads (the project's inventory, group_vars and host_vars, the play's vars and vars_files, the role's defaults, vars and parameters, block and task vars)",
      "2:3 task skipped: '{{ ports | random }}' is a Jinja expression fwlint does not compute",
      "3:3 task skipped: insert_relative_to last-ipv4 depends on the rules the host has (ufw status numbered)",
      "5:3 tasks imported from /etc/elsewhere.yml are not followed: the file is outside the scanned tree",
    ]);
    expect(said(rs, "error")).toEqual(['4:3 community.general.ufw: for rules, direction must be one of "in" and "out", or not given']);
  });
});

/**
 * Ansible's iptables tasks read as the commands ansible.builtin.iptables runs for them
 * (parsers/ansible-iptables): the rule each task's arguments make, in the module's order, run on
 * the tables as a script's iptables commands are (parsers/iptables-script, checked against the
 * kernel there); the module's own behaviour - a rule already there is not added again, absent
 * deletes, insert, policy, flush, chain_management -; `when:`; what is refused.
 */
import { describe, expect, it } from "vitest";
import { detectAnsibleIptables, parseAnsibleIptables } from "../../../parsers/ansible-iptables/index.js";
import { detectFormat } from "../../../src/engine/formats.js";
import type { Ruleset } from "../../../src/model/types.js";

const FILE = "/repo/fw.yml";
const read = (lines: string[]) => parseAnsibleIptables(lines.join("\n") + "\n", FILE, { io: { readFile: () => undefined, listDir: () => undefined }, root: "/repo" });
/** A chain's rules: "line:column conditions action". */
const rules = (rs: Ruleset, key = "filter/INPUT") =>
  (rs.chains.get(key)?.rules ?? []).map((r) => `${r.span.line}:${r.span.column} ${r.conditions.map((c) => (c.kind === "port" ? `${c.field}=${c.ranges.map(([a, b]) => (a === b ? a : `${a}-${b}`)).join(",")}` : c.kind === "unknown" ? c.text : c.kind)).join(" ")} ${r.action.kind}`);
const said = (rs: Ruleset, severity = "info") => rs.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.line}:${d.column} ${d.message}`);

describe("recognising Ansible's iptables tasks", () => {
  it("a YAML list whose tasks call the iptables module with chain, jump, policy or flush", () => {
    expect(detectAnsibleIptables("- ansible.builtin.iptables:\n    chain: INPUT\n    jump: ACCEPT\n")).toBe(true);
    expect(detectAnsibleIptables("- iptables: chain=INPUT jump=DROP\n")).toBe(true);
    // (a flow mapping, as a play's tasks often write the policy)
    expect(detectAnsibleIptables("- hosts: edge\n  tasks:\n    - ansible.builtin.iptables: { chain: INPUT, policy: DROP }\n")).toBe(true);
    expect(detectAnsibleIptables("iptables:\n  masqueradeAll: false\n  syncPeriod: 30s\n")).toBe(false);
    expect(detectFormat("- ansible.builtin.iptables:\n    chain: INPUT\n    policy: DROP\n")).toBe("ansible-iptables");
  });
});

describe("reading Ansible's iptables tasks", () => {
  it("the rule each task makes, in the module's order; a rule already there is not added again", () => {
    const rs = read([
      "- ansible.builtin.iptables: { chain: INPUT, ctstate: [ESTABLISHED, RELATED], jump: ACCEPT }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, source: '!10.0.0.0/8', destination_port: '22', jump: DROP }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_ports: ['80', '443'], jump: ACCEPT }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_ports: ['80', '443'], jump: ACCEPT }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, reject_with: tcp-reset, destination_port: '23' }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: icmp, icmp_type: echo-request, jump: ACCEPT, action: insert, rule_num: '1' }",
      "- ansible.builtin.iptables: { chain: INPUT, policy: DROP }",
    ]);
    expect(rules(rs)).toEqual(["6:3 proto icmp accept", "1:3 ctstate accept", "2:3 proto addr dport=22 drop", "3:3 proto dport=80,443 accept", "5:3 proto dport=23 reject"]);
    expect(rs.chains.get("filter/INPUT")!.policy).toBe("drop");
    expect(said(rs, "error")).toEqual([]);
  });

  it("absent deletes the rule that is there; flush empties; chain_management makes the chain; when: is an unknown condition", () => {
    const rs = read([
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '25', jump: ACCEPT }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '25', jump: ACCEPT, state: absent }",
      "- ansible.builtin.iptables: { chain: WEB, chain_management: true, protocol: tcp, destination_port: '80', jump: ACCEPT }",
      "- ansible.builtin.iptables: { chain: INPUT, jump: WEB }",
      "- ansible.builtin.iptables: { chain: INPUT, protocol: tcp, destination_port: '8080', jump: ACCEPT }",
      "  when: dev | bool",
      "- ansible.builtin.iptables: { chain: INPUT, flush: true }",
      "  when: reset_rules",
    ]);
    expect(rules(rs)).toEqual(["4:3  jump", "5:3 proto dport=8080 when: dev | bool accept"]);
    expect(rules(rs, "filter/WEB")).toEqual(["3:3 proto dport=80 accept"]);
    expect(said(rs)).toEqual(["7:3 task skipped: a flush under when: reset_rules (whether it happens depends on the host)"]);
  });

  it("what the module refuses is an error at the task", () => {
    const rs = read([
      "- ansible.builtin.iptables: { chain: NOPE, protocol: tcp, jump: ACCEPT }",
      "- ansible.builtin.iptables: { protocol: tcp, jump: ACCEPT }",
      "- ansible.builtin.iptables: { chain: INPUT, log_prefix: 'x ', jump: DROP }",
      "- ansible.builtin.iptables: { chain: INPUT, table: broute, jump: DROP }",
      "- ansible.builtin.iptables: { chain: INPUT, ipv6: true, in_interface: lo, jump: ACCEPT }",
    ]);
    expect(rules(rs)).toEqual([]);
    expect(said(rs, "error")).toEqual([
      "1:3 chain NOPE does not exist in table filter (create it first with -N)",
      "2:3 ansible.builtin.iptables: either chain or flush must be given",
      "3:3 ansible.builtin.iptables: logging options can only be used with the LOG jump target",
      "4:3 ansible.builtin.iptables: table must be one of filter, nat, mangle, raw, security, not 'broute'",
      "5:3 ansible.builtin.iptables: unsupported parameters for (ansible.builtin.iptables) module: ipv6",
    ]);
  });
});

/**
 * `when:` conditions decided from the variables fwlint reads (parsers/ansible/when.ts), and left
 * undecided - an unknown condition of the task's rules - where Ansible's answer depends on what
 * fwlint does not read (facts, extra variables) or on a reading Ansible's versions differ on.
 */
import { describe, expect, it } from "vitest";
import { decideWhen } from "../../../parsers/ansible/when.js";
import type { Value } from "../../../parsers/ansible/tasks.js";

const vars = new Map<string, Value>(
  Object.entries({
    on: true,
    off: false,
    yes_text: "yes",
    no_text: "no",
    false_text: "false",
    port: 25,
    port_text: "587",
    protos: ["tcp", "udp"],
    empty: [],
    name: "Mail",
    nothing: null,
    relay: { enabled: true, port: 25 },
  }),
);

describe("deciding when: conditions", () => {
  it("true", () => {
    for (const c of ["on", "on | bool", "yes_text | bool", "not off", "no_text | bool == false", "on and port == 25", "off or port != 26", "'tcp' in protos", "'icmp' not in protos", "port is defined", "nothing is none", "name | lower == 'mail'", "port_text | int > 500", "(off or on) and not off", "protos | length > 1", "relay.enabled", "relay['port'] == 25", "not empty", "missing | default(true)", "on is not none"]) {
      expect(decideWhen(c, vars), c).toBe(true);
    }
  });

  it("false", () => {
    for (const c of ["off", "not on", "false_text | bool", "no_text | bool", "port == 26", "port > 25", "'icmp' in protos", "empty", "off and missing_fact", "nothing", "name == 'mail'", "relay.port != 25"]) {
      expect(decideWhen(c, vars), c).toBe(false);
    }
  });

  it("undecided: unknown variables, bare strings, Jinja delimiters, filters and tests fwlint does not compute", () => {
    for (const c of ["ansible_os_family == 'Debian'", "missing", "missing is defined", "on and missing", "false_text", "yes_text", "{{ on }}", "protos | first == 'tcp'", "port is divisibleby 5", "lookup('env', 'X')", "on ==", "port == 25 extra"]) {
      expect(decideWhen(c, vars), c).toBeUndefined();
    }
    // (one side decides: false and anything, true or anything)
    expect(decideWhen("off and ansible_os_family == 'Debian'", vars)).toBe(false);
    expect(decideWhen("on or ansible_os_family == 'Debian'", vars)).toBe(true);
  });
});

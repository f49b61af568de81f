/**
 * Ansible inventories as ansible-core reads them (parsers/ansible/inventory.ts): INI and YAML
 * files, host ranges and ports, values read as Python literals, child groups, the order groups'
 * variables are merged in, host patterns. test/kernel/ansible-inventory.test.ts compares random
 * inventories with the real ansible-inventory.
 */
import { describe, expect, it } from "vitest";
import { emptyInventory, expandHostPattern, groupsDict, hostsOfPattern, mergeOrder, pyLiteral, readIniInventory, readYamlInventory, reconcile, shlexSplit } from "../../../parsers/ansible/inventory.js";
import type { Value } from "../../../parsers/ansible/tasks.js";

const toValue = (n: unknown): Value => ((n as { toJSON?: () => Value } | null)?.toJSON?.() ?? (n as Value) ?? null);
const ini = (text: string) => {
  const inv = emptyInventory();
  const why = readIniInventory(text, inv);
  reconcile(inv);
  return { inv, why };
};

describe("INI inventories", () => {
  it("reads groups, child groups, group and host variables, ranges and ports as Ansible does", () => {
    const { inv, why } = ini(
      [
        "lone x=1",
        "[web]",
        "web[01:03] http_port=8080 tags=\"[1, 2]\" name='a b' on=True",
        "db1:2222 ansible_host=10.0.0.5",
        "[db]",
        "db1 role=primary # a comment",
        "db[a:b]",
        "[prod:children]",
        "web",
        "db",
        "[prod:vars]",
        "env=production",
        "port=5432",
        "ansible_group_priority=3",
      ].join("\n"),
    );
    expect(why).toBeUndefined();
    expect(inv.hosts).toEqual(["lone", "web01", "web02", "web03", "db1", "dba", "dbb"]);
    expect(Object.fromEntries(inv.hostVars.get("web02")!)).toEqual({ http_port: 8080, tags: [1, 2], name: "a b", on: true });
    expect(Object.fromEntries(inv.hostVars.get("db1")!)).toEqual({ ansible_port: 2222, ansible_host: "10.0.0.5", role: "primary" });
    expect(Object.fromEntries(inv.groups.get("prod")!.vars)).toEqual({ env: "production", port: 5432 });
    expect(inv.groups.get("prod")!.priority).toBe(3);
    expect(groupsDict(inv)).toEqual({
      all: ["lone", "web01", "web02", "web03", "db1", "dba", "dbb"],
      ungrouped: ["lone"],
      web: ["web01", "web02", "web03", "db1"],
      db: ["db1", "dba", "dbb"],
      prod: ["web01", "web02", "web03", "db1", "dba", "dbb"],
    });
    // (depth first, then priority, then name: prod is above web and db)
    expect(mergeOrder(inv, "db1")).toEqual(["all", "prod", "db", "web"]);
  });

  it("a section naming a group it has not seen waits for it; one never declared is an error, with what came before it read", () => {
    expect(ini("[all:children]\nedge\n[edge]\nfw1").inv.hosts).toEqual(["fw1"]);
    const bad = ini("[web]\nweb1\n[web:children]\nmissing\n");
    expect(bad.why).toBe("line 4: section [web:children] includes undefined group: missing");
    expect(bad.inv.hosts).toEqual(["web1"]);
    expect(ini("[web]\nweb1 nokey\n").why).toBe("line 2: expected key=value host variable assignment, got: nokey");
    expect(ini("[web:weird]\n").why).toBe("line 1: section [web:weird] has unknown type: weird");
  });

  it("splits host lines as a POSIX shell does and reads values as Python literals", () => {
    expect(shlexSplit(`h a="x y" b='c d' e=f\\ g h=1#c`)).toEqual(["h", "a=x y", "b=c d", "e=f g", "h=1"]);
    expect(shlexSplit(`h a="open`)).toBeUndefined();
    expect(pyLiteral("0x10")).toBe(16);
    expect(pyLiteral("1_000")).toBe(1000);
    expect(pyLiteral("-3")).toBe(-3);
    expect(pyLiteral("07")).toBe("07");
    expect(pyLiteral("None")).toBeNull();
    expect(pyLiteral("none")).toBe("none");
    expect(pyLiteral("yes")).toBe("yes");
    expect(pyLiteral(`"a" 'b'`)).toBe("ab");
    expect(pyLiteral(`{'a': [1, (2, 3)]}`)).toEqual({ a: [1, [2, 3]] });
    expect(pyLiteral("1 + 2")).toBe("1 + 2");
  });

  it("expands host ranges (numeric with their width, alphabetic, with a step) and reads a port", () => {
    expect(expandHostPattern("web[1:3].example.net")).toEqual({ hosts: ["web1.example.net", "web2.example.net", "web3.example.net"] });
    expect(expandHostPattern("db[08:10]:5432")).toEqual({ hosts: ["db08", "db09", "db10"], port: 5432 });
    expect(expandHostPattern("r[a:e:2]").hosts).toEqual(["ra", "rc", "re"]);
    expect(expandHostPattern("[2001:db8::1]:22")).toEqual({ hosts: ["2001:db8::1"], port: 22 });
    expect(() => expandHostPattern("x[01:100]")).toThrow(/equal-length/);
  });
});

describe("YAML inventories", () => {
  it("reads all: with hosts, vars and nested children", () => {
    const inv = emptyInventory();
    const why = readYamlInventory(
      "all:\n  hosts:\n    bastion: {ansible_host: 192.0.2.1}\n  children:\n    web:\n      hosts:\n        web[1:2]:\n      vars: {http_port: 80}\n    backend:\n      children:\n        web:\n        db:\n          hosts: db1\n",
      inv,
      toValue,
    );
    reconcile(inv);
    expect(why).toBeUndefined();
    expect(groupsDict(inv)).toEqual({ all: ["bastion", "web1", "web2", "db1"], ungrouped: ["bastion"], web: ["web1", "web2"], backend: ["web1", "web2", "db1"], db: ["db1"] });
    expect(Object.fromEntries(inv.hostVars.get("bastion")!)).toEqual({ ansible_host: "192.0.2.1" });
    expect(mergeOrder(inv, "web1")).toEqual(["all", "backend", "web"]);
  });

  it("an inventory plugin's configuration is not an inventory fwlint reads", () => {
    expect(readYamlInventory("plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n", emptyInventory(), toValue)).toMatch(/inventory plugin/);
  });
});

describe("host patterns", () => {
  const { inv } = ini("[web]\nweb1\nweb2\n[db]\ndb1\ndb2\n[stage]\nweb2\ndb2\n");
  it("names groups and hosts, with unions, intersections, exclusions, wildcards, regexes and subscripts", () => {
    expect(hostsOfPattern(inv, "web")).toEqual(["web1", "web2"]);
    expect(hostsOfPattern(inv, "web:db")).toEqual(["web1", "web2", "db1", "db2"]);
    expect(hostsOfPattern(inv, "web,db,!stage")).toEqual(["web1", "db1"]);
    expect(hostsOfPattern(inv, "all:&stage")).toEqual(["web2", "db2"]);
    expect(hostsOfPattern(inv, ["db", "web1"])).toEqual(["db1", "db2", "web1"]);
    expect(hostsOfPattern(inv, "db*")).toEqual(["db1", "db2"]);
    expect(hostsOfPattern(inv, "~web\\d")).toEqual(["web1", "web2"]);
    expect(hostsOfPattern(inv, "db[1]")).toEqual(["db2"]);
    expect(hostsOfPattern(inv, "all[0:1]")).toEqual(["web1", "web2"]);
    expect(hostsOfPattern(inv, "nothere")).toEqual([]);
  });
});

/**
 * The FortiOS reader: words and quotes, the CLI's editing commands (set/append/unselect/unset,
 * move, delete, clone, rename) applied as FortiOS applies them, VDOM scopes, and bad lines reported
 * at their place with the rest of the file still read.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../../parsers/junos/statements.js";
import { readFortiosText, valuesOf, type Container } from "../../../parsers/fortios/reader.js";
import { readScopes } from "../../../parsers/fortios/scope.js";
import { parseFortios } from "../../../parsers/fortios/index.js";

function read(text: string): { root: Container; diags: string[] } {
  const d = new Diagnostics("f.conf");
  const root = readFortiosText(text, d);
  return { root, diags: d.list.map((x) => `${x.severity} ${x.line}:${x.column} ${x.message}`) };
}

const keys = (root: Container, path: string) => root.blocks.get(path)!.entries.map((e) => e.key);
const words = (root: Container, path: string, key: string, field: string) => valuesOf(root.blocks.get(path)!.entries.find((e) => e.key === key), field).map((t) => t.text);

describe("fortios reader", () => {
  it("reads quoted values, joined quoted parts, escapes and values that run over lines", () => {
    const { root, diags } = read(`config firewall address
    edit "web 1"
        set comment "say \\"hi\\"" plain
        set fqdn 'example.com'
        set member "new"_group1
        set certificate "-----BEGIN
abc
-----END"
        set subnet 10.0.0.1 255.255.255.255
    next
end
`);
    expect(diags).toEqual([]);
    expect(keys(root, "firewall address")).toEqual(["web 1"]);
    expect(words(root, "firewall address", "web 1", "comment")).toEqual(['say "hi"', "plain"]);
    expect(words(root, "firewall address", "web 1", "fqdn")).toEqual(["example.com"]);
    expect(words(root, "firewall address", "web 1", "member")).toEqual(["new_group1"]);
    expect(words(root, "firewall address", "web 1", "certificate")).toEqual(["-----BEGIN\nabc\n-----END"]);
    // the line after the multi-line value is read at its own line
    const subnet = root.blocks.get("firewall address")!.entries[0]!.fields.get("subnet")!;
    expect(subnet.at.line).toBe(9);
  });

  it("applies append, select, unselect and unset, and re-edits an existing entry", () => {
    const { root } = read(`config firewall policy
    edit 1
        set srcintf port1
        append srcintf port2 port1
        set dstintf a b c
        unselect dstintf b
        select dstintf d
        set comments x
        unset comments
    next
end
config firewall policy
    edit 1
        append srcintf port3
    next
end
`);
    expect(words(root, "firewall policy", "1", "srcintf")).toEqual(["port1", "port2", "port3"]);
    expect(words(root, "firewall policy", "1", "dstintf")).toEqual(["a", "c", "d"]);
    expect(words(root, "firewall policy", "1", "comments")).toEqual([]);
    expect(keys(root, "firewall policy")).toEqual(["1"]);
  });

  it("moves, deletes, clones and renames entries; references follow a rename", () => {
    const { root, diags } = read(`config firewall addrgrp
    edit g1
        set member a
    next
end
config firewall policy
    edit 1
        set srcaddr g1
    next
    edit 2
    next
    edit 3
    next
    move 3 before 1
    move 1 after 2
    clone 2 to 9
    delete 2
    move 42 before 1
end
config firewall addrgrp
    rename g1 to g2
end
`);
    expect(keys(root, "firewall policy")).toEqual(["3", "1", "9"]);
    expect(keys(root, "firewall addrgrp")).toEqual(["g2"]);
    expect(words(root, "firewall policy", "1", "srcaddr")).toEqual(["g2"]);
    expect(diags).toEqual(["warning 18:10 'move': no entry '42' in 'config firewall policy'; nothing moved"]);
  });

  it("reports bad lines at their line and column and reads the rest", () => {
    const { root, diags } = read(`config firewall address
    edit
    edit a1
        set subnet 10.0.0.0/8
    bogus line here
    next
end
next
end
config firewall service custom
    edit s1
        set comment "never closed
`);
    expect(keys(root, "firewall address")).toEqual(["a1"]);
    expect(diags).toEqual([
      "error 2:9 'edit' needs the key of the entry",
      "error 5:5 expected config, edit, set, unset, append, next, end, delete, move, clone or rename; found 'bogus'",
      "error 8:1 'next' without an open 'edit' entry",
      "error 9:1 'end' without an open 'config' block",
      "error 12:21 unterminated quoted value: expected a closing \" before the end of the file",
      "warning 10:1 'config firewall service custom' is not closed by 'end' before the end of the file",
    ]);
  });

  it("keeps each VDOM's blocks apart from the device-wide ones", () => {
    const { root } = read(`config vdom
edit root
next
edit dmz
next
end
config global
config system interface
    edit port1
        set vdom root
    next
end
end
config vdom
edit root
config firewall policy
    edit 1
    next
end
next
edit dmz
config firewall policy
    edit 7
    next
end
next
end
`);
    const { global, vdoms } = readScopes(root);
    expect([...global.blocks.keys()]).toEqual(["system interface"]);
    expect(vdoms.map((v) => `${v.name}:${v.blocks.blocks.get("firewall policy")!.entries.map((e) => e.key).join(",")}`)).toEqual(["root:1", "dmz:7"]);
  });

  it("never throws and never hangs on arbitrary text", () => {
    const alphabet = fc.constantFrom("config firewall policy\n", "edit 1\n", 'set srcaddr "a b\n', "next\n", "end\n", "move 1 after 2\n", "rename a to b\n", "clone 1 to 2\n", "delete 1\n", '"', "\\", "'", " ", "\n", "#x\n", "unset x\n", "config vdom\n");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
        const rs = parseFortios(parts.join(""), "fuzz.conf");
        expect(rs.diagnostics.some((d) => d.message.startsWith("internal error"))).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});

/**
 * The PAN-OS readers: the set form (quotes, PAN-OS's unescaped free text, lists, move, delete,
 * rename, edit), the brace form and XML (entries, members, several documents) all build the same
 * tree; bad input is reported at its line and column, the rest still read, and nothing throws.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Diagnostics } from "../../../parsers/junos/statements.js";
import { at, kids, type ConfigNode } from "../../../parsers/junos/tree.js";
import { readPanosBraces, readPanosSet } from "../../../parsers/panos/text-reader.js";
import { readPanosXml } from "../../../parsers/panos/xml-reader.js";
import { parsePanos } from "../../../parsers/panos/index.js";
import type { Ruleset } from "../../../src/model/types.js";

function read(reader: (t: string, d: Diagnostics) => ConfigNode, text: string): { root: ConfigNode; diags: string[] } {
  const d = new Diagnostics("pa.cfg");
  const root = reader(text, d);
  return { root, diags: d.list.map((x) => `${x.severity} ${x.line}:${x.column} ${x.message}`) };
}

const names = (n: ConfigNode | undefined) => kids(n).map((k) => k.name);

describe("panos set form", () => {
  it("reads quoted words, free text with unescaped quotes over lines, and lists with a glued bracket", () => {
    const { root, diags } = read(readPanosSet, `set address "web 1" ip-netmask 10.0.0.1
set address "web 1" description "a "quoted" word"
set address web2 description "two
lines"
set address web2 ip-netmask 10.0.0.2
set rulebase security rules R source [ "web 1" web2]
`);
    expect(diags).toEqual([]);
    expect(names(at(root, "address"))).toEqual(["web 1", "web2"]);
    expect(names(at(root, "address", "web 1", "description"))).toEqual(['a "quoted" word']);
    expect(names(at(root, "address", "web2", "description"))).toEqual(["two\nlines"]);
    // the line after the two-line value is read at its own line
    expect(at(root, "address", "web2", "ip-netmask")!.line).toBe(5);
    expect(names(at(root, "rulebase", "security", "rules", "R", "source"))).toEqual(["web 1", "web2"]);
  });

  it("moves rules top, bottom, before and after; deletes a member or a subtree; renames; edits relative paths", () => {
    const { root, diags } = read(readPanosSet, `set rulebase security rules A action allow
set rulebase security rules B action deny
set rulebase security rules C action allow
set rulebase security rules D action allow
move rulebase security rules D top
move rulebase security rules A bottom
move rulebase security rules C before B
move rulebase security rules D after B
set rulebase security rules B source [ x y z ]
delete rulebase security rules B source y
rename rulebase security rules C to C2
edit rulebase security rules A
set action deny
top
delete rulebase security rules D
`);
    expect(diags).toEqual([]);
    expect(names(at(root, "rulebase", "security", "rules"))).toEqual(["C2", "B", "A"]);
    expect(names(at(root, "rulebase", "security", "rules", "B", "source"))).toEqual(["x", "z"]);
    // setting a single-valued key again: the latest value is last
    expect(names(at(root, "rulebase", "security", "rules", "A", "action"))).toEqual(["allow", "deny"]);
  });

  it("reports bad lines at their place and reads the rest", () => {
    const { root, diags } = read(readPanosSet, `set address a ip-netmask 10.0.0.1
frobnicate address b
set rulebase security rules R source [ a b
move rulebase security rules NOPE top
set
set address c ip-netmask 10.0.0.3
`);
    expect(diags).toEqual([
      "error 2:1 expected 'set', 'delete', 'move', 'rename' or 'edit' at the start of the line, found 'frobnicate'; line skipped",
      "error 3:38 unterminated list: expected ']'",
      "error 4:30 move: 'rulebase security rules NOPE' is not in the configuration at this point",
      "error 5:4 expected a configuration path after 'set'",
    ]);
    expect(names(at(root, "address"))).toEqual(["a", "c"]);
  });
});

describe("panos brace form and XML", () => {
  it("reads blocks, leaves, lists and members in the brace form", () => {
    const { root, diags } = read(readPanosBraces, `config {
  devices {
    localhost.localdomain {
      network {
        interface { ethernet { ethernet1/1 { layer3 { ip { 1.1.1.3/24; } } } } }
        virtual-router { vr1 { interface [ ethernet1/1 ethernet1/2]; } }
      }
      vsys { vsys1 { address { a { ip-netmask 10.0.0.1/32; description "x { y }"; } } } }
    }
  }
}
`);
    expect(diags).toEqual([]);
    expect(names(at(root, "config", "devices", "localhost.localdomain", "network", "interface", "ethernet", "ethernet1/1", "layer3", "ip"))).toEqual(["1.1.1.3/24"]);
    expect(names(at(root, "config", "devices", "localhost.localdomain", "network", "virtual-router", "vr1", "interface"))).toEqual(["ethernet1/1", "ethernet1/2"]);
    expect(names(at(root, "config", "devices", "localhost.localdomain", "vsys", "vsys1", "address", "a", "description"))).toEqual(["x { y }"]);
  });

  it("reports unbalanced braces at their place", () => {
    const { diags } = read(readPanosBraces, "a {\n  b c;\n}\n}\nd {\n  e f\n");
    expect(diags).toEqual(["error 4:1 unexpected '}' without a matching '{'; ignored", "error 6:6 expected ';' or '{' after 'e f'", "error 5:3 expected '}' to close the block opened at line 5 before the end of the file"]);
  });

  it("reads XML entries, members and text, several documents in order, and malformed XML at its place", () => {
    const doc = (rule: string) => `<?xml version="1.0"?>
<config version="10.1.0">
  <devices><entry name="localhost.localdomain"><vsys><entry name="vsys1">
    <rulebase><security><rules>
      <entry name="${rule}"><source><member>10.0.0.0/8</member><member>a &amp; b</member></source><action>allow</action></entry>
    </rules></security></rulebase>
  </entry></vsys></entry></devices>
</config>
`;
    const { root, diags } = read(readPanosXml, doc("R1") + doc("R2"));
    const rules = at(root, "config", "devices", "localhost.localdomain", "vsys", "vsys1", "rulebase", "security", "rules");
    expect(names(rules)).toEqual(["R1", "R2"]);
    expect(names(at(rules, "R1", "source"))).toEqual(["10.0.0.0/8", "a & b"]);
    expect(names(at(rules, "R2", "action"))).toEqual(["allow"]);
    expect(at(rules, "R2")!.line).toBe(13);
    expect(diags).toEqual(["info 9:1 2 XML documents in this file; they are read in order as one configuration"]);
    const bad = read(readPanosXml, `<config>\n  <shared>\n    <address><entry name="a"><ip-netmask>10.0.0.1</ip-netmask></entry></address>\n    <oops attr=></oops>\n</config>\n`);
    expect(bad.diags[0]).toMatch(/^error 4:\d+ malformed XML: /);
    expect(names(at(bad.root, "config", "shared", "address"))).toEqual(["a"]);
  });
});

/** The security chain's rules, without positions: what the three forms must agree on. */
function rulesOf(rs: Ruleset): string[] {
  const out: string[] = [];
  for (const c of rs.chains.values()) for (const r of c.rules) out.push(`${c.name} ${r.id} ${JSON.stringify(r.conditions, (_k, v) => (typeof v === "bigint" ? v.toString() : v))} ${r.action.kind}`);
  return out;
}

describe("panos forms agree", () => {
  it("the set, brace and XML forms of one configuration give the same rules", () => {
    const set = `set network interface ethernet ethernet1/1 layer3 ip 198.51.100.2/24
set network interface ethernet ethernet1/2 layer3 ip 10.1.0.1/24
set zone untrust network layer3 ethernet1/1
set zone trust network layer3 ethernet1/2
set address mail ip-netmask 10.1.0.25
set service smtp protocol tcp port 25
set rulebase security rules mail-in from untrust
set rulebase security rules mail-in to trust
set rulebase security rules mail-in source any
set rulebase security rules mail-in destination mail
set rulebase security rules mail-in application any
set rulebase security rules mail-in service smtp
set rulebase security rules mail-in action allow
`;
    const braces = `config {
  devices {
    localhost.localdomain {
      network { interface { ethernet {
        ethernet1/1 { layer3 { ip { 198.51.100.2/24; } } }
        ethernet1/2 { layer3 { ip { 10.1.0.1/24; } } }
      } } }
      vsys { vsys1 {
        zone { untrust { network { layer3 ethernet1/1; } } trust { network { layer3 ethernet1/2; } } }
        address { mail { ip-netmask 10.1.0.25; } }
        service { smtp { protocol { tcp { port 25; } } } }
        rulebase { security { rules { mail-in {
          from untrust; to trust; source any; destination mail; application any; service smtp; action allow;
        } } } }
      } }
    }
  }
}
`;
    const xml = `<config><devices><entry name="localhost.localdomain">
<network><interface><ethernet>
<entry name="ethernet1/1"><layer3><ip><entry name="198.51.100.2/24"/></ip></layer3></entry>
<entry name="ethernet1/2"><layer3><ip><entry name="10.1.0.1/24"/></ip></layer3></entry>
</ethernet></interface></network>
<vsys><entry name="vsys1">
<zone><entry name="untrust"><network><layer3><member>ethernet1/1</member></layer3></network></entry><entry name="trust"><network><layer3><member>ethernet1/2</member></layer3></network></entry></zone>
<address><entry name="mail"><ip-netmask>10.1.0.25</ip-netmask></entry></address>
<service><entry name="smtp"><protocol><tcp><port>25</port></tcp></protocol></entry></service>
<rulebase><security><rules><entry name="mail-in"><from><member>untrust</member></from><to><member>trust</member></to><source><member>any</member></source><destination><member>mail</member></destination><application><member>any</member></application><service><member>smtp</member></service><action>allow</action></entry></rules></security></rulebase>
</entry></vsys></entry></devices></config>
`;
    const a = parsePanos(set, "a.set");
    const b = parsePanos(braces, "b.cfg");
    const c = parsePanos(xml, "c.xml");
    for (const rs of [a, b, c]) expect(rs.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(rulesOf(a).length).toBeGreaterThan(3);
    expect(rulesOf(b)).toEqual(rulesOf(a));
    expect(rulesOf(c)).toEqual(rulesOf(a));
    expect(a.internetInterfaces).toEqual(["ethernet1/1"]);
  });

  it("never throws, whatever the input, in any form", () => {
    const word = fc.constantFrom("set", "delete", "move", "rename", "edit", "top", "up", "rulebase", "security", "rules", "R", "before", "after", "to", "[", "]", "{", "}", ";", '"', "'", "address", "a", "ip-netmask", "10.0.0.1", "from", "any", "action", "allow", "<entry", 'name="x">', "</entry>", "<member>", "</member>", "<config>", "</config>", "<?xml", "\n", " ");
    fc.assert(
      fc.property(fc.array(word, { maxLength: 80 }), fc.constantFrom("set ", "config {\n", "<config>\n"), (ws, head) => {
        const rs = parsePanos(head + ws.join(" "), "x");
        expect(rs.diagnostics.some((d) => d.message.startsWith("internal error"))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

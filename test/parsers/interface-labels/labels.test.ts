/**
 * Inside interfaces named by a hand-written ruleset's variables: taken as not facing the Internet
 * only when the variables name both sides, and only for interfaces the rules match; the rest of
 * the host's interfaces still may face it.
 */
import { describe, expect, it } from "vitest";
import { labelledInside } from "../../../parsers/interface-labels.js";
import { analyzeText } from "../../../src/engine/check.js";

const src = (text: string) => [{ file: "rules.nft", lines: text.split("\n") }];
const used = new Set(["eth0", "eth1", "eth2", "wg0"]);

describe("labelledInside", () => {
  it("takes what nft defines name inside as inside, when an outside one is named too", () => {
    const r = labelledInside(src('define WAN = "eth0"\ndefine LAN = eth1\ndefine DMZ_IF = { "eth2" }\n'), () => used);
    expect(r?.internal).toEqual(["eth1", "eth2"]);
    expect(r?.note).toMatchObject({ severity: "info", file: "rules.nft", line: 2 });
    expect(r?.note.message).toBe("eth1, eth2 ($LAN, $DMZ_IF) taken as inside interfaces, not facing the Internet, as the ruleset names them beside $WAN; every other interface still may face it (say which do with internet: in .fwlint.yaml)");
  });

  it("reads shell assignments, nested defines and camel case", () => {
    expect(labelledInside(src("EXTIF=eth0\nexport INTIF=\"eth1\"\n"), () => used)?.internal).toEqual(["eth1"]);
    expect(labelledInside(src("define int_if1 = eth1\ndefine int_if2 = eth2\ndefine int_ifs = { $int_if1, $int_if2 }\ndefine extIface = eth0\n"), () => used)?.internal).toEqual(["eth1", "eth2"]);
  });

  it("says nothing when only one side is named, or a name says both, or the value is no interface the rules match", () => {
    expect(labelledInside(src('define LAN = "eth1"\n'), () => used)).toBeUndefined();
    expect(labelledInside(src('define lan_to_wan = "eth1"\ndefine WAN = "eth0"\n'), () => used)).toBeUndefined();
    expect(labelledInside(src('define WAN = "eth0"\ndefine LAN = 192.168.1.0/24\n'), () => used)).toBeUndefined();
    expect(labelledInside(src('define WAN = "eth0"\ndefine LAN = "eth7"\n'), () => used)).toBeUndefined();
    // one interface named on both sides is not taken inside
    expect(labelledInside(src('define WAN = "eth0"\ndefine LAN = { "eth0", "eth1" }\n'), () => used)?.internal).toEqual(["eth1"]);
  });
});

describe("through the check", () => {
  const ruleset = (defines: string) => `${defines}
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname $LAN accept
    iifname $WAN tcp dport 25 accept
  }
}
`;
  const everyPort = (text: string, options = {}) => analyzeText("rules.nft", text, options).findings.filter((f) => f.exposure?.service === "every-port").length;

  it("a LAN the ruleset names beside its WAN is no way in from the Internet; its SMTP on the WAN still is", () => {
    const r = analyzeText("rules.nft", ruleset('define WAN = "eth0"\ndefine LAN = "eth1"'));
    expect(r.findings.filter((f) => f.exposure?.service === "every-port")).toEqual([]);
    expect(r.findings.filter((f) => f.exposure?.service === "smtp").length).toBe(2);
    expect(r.file.diagnostics.map((d) => `${d.severity} ${d.line} ${d.message.split(" (")[0]}`)).toEqual(["info 2 eth1"]);
  });

  it("without the outside name, or with internet: configured, every interface may face the Internet as before", () => {
    expect(everyPort(ruleset('define UPSTAIRS = "eth0"\ndefine WAN2 = "eth9"\ndefine LAN = "eth1"').replace("$WAN", "$UPSTAIRS"))).toBeGreaterThan(0);
    expect(everyPort(ruleset('define WAN = "eth0"\ndefine LAN = "eth1"'), { internetInterfaces: [{ name: "eth1", prefix: false }] })).toBeGreaterThan(0);
  });
});

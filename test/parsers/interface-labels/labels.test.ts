/**
 * Inside interfaces named by a hand-written ruleset's variables: when the variables name the outside
 * one, the interfaces named inside and every other one the rules match are taken as not facing the
 * Internet; the interfaces the rules do not name still may face it.
 */
import { describe, expect, it } from "vitest";
import { labelledInside } from "../../../parsers/interface-labels.js";
import { analyzeText } from "../../../src/engine/check.js";

const src = (text: string) => [{ file: "rules.nft", lines: text.split("\n") }];
const used = new Set(["eth0", "eth1", "eth2", "wg0"]);

describe("labelledInside", () => {
  it("takes what nft defines name inside as inside, when an outside one is named too", () => {
    const r = labelledInside(src('define WAN = "eth0"\ndefine LAN = eth1\ndefine DMZ_IF = { "eth2" }\n'), () => ({ matched: new Set(["eth0", "eth1", "eth2"]) }));
    expect(r?.internal).toEqual(["eth1", "eth2"]);
    expect(r?.note).toMatchObject({ severity: "info", file: "rules.nft", line: 2 });
    expect(r?.note.message).toBe("eth1, eth2 ($LAN, $DMZ_IF) taken as inside interfaces, not facing the Internet, as the ruleset names them beside $WAN; every other interface still may face it (say which do with internet: in .fwlint.yaml)");
  });

  it("reads shell assignments, nested defines and camel case", () => {
    expect(labelledInside(src("EXTIF=eth0\nexport INTIF=\"eth1\"\n"), () => ({ matched: new Set(["eth0", "eth1"]) }))?.internal).toEqual(["eth1"]);
    const r = labelledInside(src("define int_if1 = eth1\ndefine int_if2 = eth2\ndefine int_ifs = { $int_if1, $int_if2 }\ndefine extIface = eth0\n"), () => ({ matched: used }));
    expect(r?.internal).toEqual(["eth1", "eth2", "wg0"]);
    expect(r?.note.message).toMatch(/^eth1, eth2 \(\$int_if1, \$int_if2, \$int_ifs\) and wg0 \(matched by its rules, not named as \$extIface\)/);
  });

  it("says nothing without an outside name the rules match", () => {
    expect(labelledInside(src('define LAN = "eth1"\n'), () => ({ matched: used }))).toBeUndefined();
    expect(labelledInside(src('define lan_to_wan = "eth1"\n'), () => ({ matched: used }))).toBeUndefined();
    expect(labelledInside(src('define WAN = "eth7"\ndefine LAN = "eth1"\n'), () => ({ matched: used }))).toBeUndefined();
    // only the outside one among what the rules match: nothing is left inside
    expect(labelledInside(src('define WAN = "eth0"\n'), () => ({ matched: new Set(["eth0", "lo"]) }))).toBeUndefined();
  });

  it("takes the other interfaces the rules match as inside too, once the outside is named", () => {
    const r = labelledInside(src('define WAN = "eth0"\ndefine LAN = 192.168.1.0/24\n'), () => ({ matched: used }));
    expect(r?.internal).toEqual(["eth1", "eth2", "wg0"]);
    expect(r?.note).toMatchObject({ line: 1 });
    expect(r?.note.message).toBe("eth1, eth2, wg0 (matched by its rules, not named as $WAN) taken as inside interfaces, not facing the Internet, as the ruleset names them beside $WAN; every other interface still may face it (say which do with internet: in .fwlint.yaml)");
    const both = labelledInside(src('define WAN = "eth0"\ndefine GUEST_IF = "eth2"\n'), () => ({ matched: new Set(["eth0", "eth2", "wg0", "lo"]) }));
    expect(both?.internal).toEqual(["eth2", "wg0"]);
    expect(both?.note.message).toMatch(/^eth2 \(\$GUEST_IF\) and wg0 \(matched by its rules, not named as \$WAN\) taken as inside interfaces/);
    // one the rules masquerade out of (a PPPoE link over the $WAN device) is none either
    expect(labelledInside(src('define WAN = "eth0"\n'), () => ({ matched: new Set(["eth0", "ppp0", "eth1"]), upstream: new Set(["ppp0"]) }))?.internal).toEqual(["eth1"]);
    // one a name of both sides holds is no inside one by the rules alone
    expect(labelledInside(src('define WAN = "eth0"\ndefine VPN_UPLINK = "wg0"\n'), () => ({ matched: new Set(["eth0", "wg0", "eth1"]) }))?.internal).toEqual(["eth1"]);
    // one interface named on both sides stays outside
    expect(labelledInside(src('define WAN = "eth0"\ndefine LAN = { "eth0", "eth1" }\n'), () => ({ matched: new Set(["eth0", "eth1"]) }))?.internal).toEqual(["eth1"]);
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

  it("a guest network and a tunnel the rules name beside the WAN are no way in either", () => {
    const text = `define WAN = "ppp0"
define GUEST = "wlan1"
table inet filter {
  chain input {
    type filter hook input priority 0; policy drop;
    iifname $GUEST udp dport 53 accept
    iifname "wg0" tcp dport 22 accept
    iifname $WAN tcp dport 25 accept
  }
}
`;
    const r = analyzeText("rules.nft", text);
    expect([...new Set(r.findings.map((f) => f.exposure?.service))]).toEqual(["smtp"]);
    expect(r.findings.every((f) => f.witness?.iif === "ppp0")).toBe(true);
  });

  it("without the outside name, or with internet: configured, every interface may face the Internet as before", () => {
    expect(everyPort(ruleset('define UPSTAIRS = "eth0"\ndefine WAN2 = "eth9"\ndefine LAN = "eth1"').replace("$WAN", "$UPSTAIRS"))).toBeGreaterThan(0);
    expect(everyPort(ruleset('define WAN = "eth0"\ndefine LAN = "eth1"'), { internetInterfaces: [{ name: "eth1", prefix: false }] })).toBeGreaterThan(0);
  });
});

/**
 * The Internet side of a host whose nftables ruleset firewalld or OpenWrt's fw4 wrote, read from
 * the zones their dispatch chains send each interface to (parsers/nftables/generated-zones.ts),
 * and what the exposure checks then see.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNft } from "../../../parsers/nftables/index.js";
import { analyzeText } from "../../../src/engine/check.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "..", "..", "..", "fixtures", "nftables", name), "utf8");

/** firewalld's dispatch: `zones` as [interface or undefined (the default zone), zone], in order. */
function firewalld(zones: [string | undefined, string][], chain = "filter_INPUT_POLICIES", verb = "jump"): string {
  const names = [...new Set(zones.map(([, z]) => z))];
  return `table inet firewalld {
  chain filter_INPUT {
    type filter hook input priority filter + 10; policy accept;
    ct state { established, related } accept
    iifname "lo" accept
    jump ${chain}
    reject with icmpx admin-prohibited
  }
  chain ${chain} {
${zones.map(([i, z]) => `    ${i ? `iifname "${i}" ` : ""}${verb} filter_IN_${z}`).join("\n")}
  }
${names.map((z) => `  chain filter_IN_${z} {\n    tcp dport ${z === "trusted" ? "0-65535" : "22"} accept\n  }`).join("\n")}
}
`;
}

function fw4(dispatch: string): string {
  return `table inet fw4 {
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
${dispatch}
  }
  chain input_lan { accept }
  chain input_wan { tcp dport 22 accept }
  chain input_wan6 { tcp dport 22 accept }
}
`;
}

describe("interfaces a generator's zones put on the Internet side", () => {
  it("firewalld: the interfaces of its trusted zones are internal, every other one may face the Internet", () => {
    const rs = parseNft(fixture("firewalld-zones.nft"), "firewalld-zones.nft");
    expect(rs.internalInterfaces).toEqual(["eth1"]);
    expect(rs.internetInterfaces).toBeUndefined();
    expect(rs.zonedInterfaces).toBe(true);
    // 0.9's dispatch chain, by goto; an interface in two zones (a trusted one and public) stays facing it
    const old = parseNft(firewalld([["eth1", "home"], ["wg0", "work"], ["eth2", "trusted"], ["eth2", "public"], [undefined, "public"]], "filter_INPUT_ZONES", "goto"), "fw.nft");
    expect(old.internalInterfaces).toEqual(["eth1", "wg0"]);
  });

  it("firewalld with a trusted default zone: only the interfaces put in another zone face the Internet", () => {
    expect(parseNft(firewalld([["eth0", "public"], ["eth1", "dmz"], [undefined, "home"]]), "fw.nft").internetInterfaces).toEqual(["eth0", "eth1"]);
    // nothing put elsewhere: nothing said, every interface may face it (an "accept everything" host is flagged)
    const trustedOnly = parseNft(firewalld([[undefined, "trusted"]]), "fw.nft");
    expect(trustedOnly.internetInterfaces).toBeUndefined();
    expect(trustedOnly.internalInterfaces).toBeUndefined();
    const findings = analyzeText("fw.nft", firewalld([[undefined, "trusted"]]), { inputFormat: "nft" }).findings;
    expect(findings.some((f) => f.exposure?.service === "every-port")).toBe(true);
  });

  it("fw4: the devices of a zone named for the Internet (wan, wan6 ...) face it, no other", () => {
    expect(parseNft(fixture("openwrt-fw4-zones.nft"), "fw4.nft").internetInterfaces).toEqual(["eth1"]);
    const both = parseNft(fw4(`    iifname "br-lan" jump input_lan\n    iifname { "pppoe-wan", "eth1" } jump input_wan\n    meta nfproto ipv6 iifname "6in4-henet" jump input_wan6`), "fw4.nft");
    expect(both.internetInterfaces).toEqual(["pppoe-wan", "eth1", "6in4-henet"]);
    // a wildcard device, or a wan zone bound to sources: which interfaces is not told
    expect(parseNft(fw4(`    iifname "eth0" jump input_lan\n    iifname "wan*" jump input_wan`), "fw4.nft").internetInterfaces).toBeUndefined();
    expect(parseNft(fw4(`    iifname "eth0" jump input_lan\n    meta nfproto ipv4 ip saddr 100.64.0.0/10 jump input_wan`), "fw4.nft").internetInterfaces).toBeUndefined();
    // zones with no Internet name: nothing said - unless one masquerades (OpenWrt's upstream zone)
    expect(parseNft(fw4(`    iifname "eth0" jump input_lan`), "fw4.nft").internetInterfaces).toBeUndefined();
    const masq = fw4(`    iifname "eth0" jump input_lan\n    iifname "eth9" jump input_isp`).replace(
      "}\n}\n",
      "}\n  chain input_isp { tcp dport 22 accept }\n  chain srcnat_isp { meta nfproto ipv4 masquerade }\n  chain srcnat_lan { }\n}\n",
    );
    expect(parseNft(masq, "fw4.nft").internetInterfaces).toEqual(["eth9"]);
  });

  it("examples arrive on an interface the zones put on the Internet side and are forwarded to one behind the host", () => {
    const ssh = analyzeText("fw4.nft", fixture("openwrt-fw4-zones.nft"), { inputFormat: "nft" }).findings.find((f) => f.exposure?.service === "ssh" && f.exposure.direction === "forward")!;
    expect([ssh.witness?.iif, ssh.witness?.oif]).toEqual(["eth1", "eth0"]);
  });

  it("is read from those generators' tables only", () => {
    const own = fw4(`    iifname "eth0" jump input_lan\n    iifname "eth1" jump input_wan`).replace("table inet fw4", "table inet filter");
    const rs = parseNft(own, "own.nft");
    expect(rs.internetInterfaces).toBeUndefined();
    expect(rs.zonedInterfaces).toBeUndefined();
  });

  it("a port forward to a container bridge in no zone still reaches something behind the host", () => {
    // firewalld's internal zone on eth1, the rest public; Docker publishes 8443 to a container
    const text =
      firewalld([["eth1", "internal"], [undefined, "public"]]) +
      `table ip docker {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    fib daddr type local tcp dport 8443 dnat to 172.17.0.2:443
  }
  chain fwd {
    type filter hook forward priority filter; policy drop;
    oifname "docker0" ct status dnat accept
  }
}
`;
    const https = analyzeText("fw.nft", text, { inputFormat: "nft" }).findings.filter((f) => f.exposure?.service === "https" && f.exposure.direction === "forward");
    expect(https.map((f) => [f.message, f.witness?.oif])).toEqual([["HTTPS (tcp/443) is reachable from any IPv4 source on the forward path (forwarded to 172.17.0.2:443 by fw.nft:23)", "docker0"]]);
  });

  it("the exposure checks see the Internet side; `internet:` in the configuration wins over it", () => {
    const text = fixture("firewalld-zones.nft");
    const services = (findings: ReturnType<typeof analyzeText>["findings"]) => new Set(findings.filter((f) => f.ruleId === "exposed-service").map((f) => f.exposure!.service));
    const zoned = analyzeText("firewalld-zones.nft", text, { inputFormat: "nft" }).findings;
    expect(services(zoned).has("smb")).toBe(false);
    expect(zoned.every((f) => f.witness?.iif !== "eth1")).toBe(true);
    const configured = analyzeText("firewalld-zones.nft", text, { inputFormat: "nft", internetInterfaces: [{ name: "eth1", prefix: false }] }).findings;
    expect(services(configured).has("smb")).toBe(true);
    expect(services(configured).has("ssh")).toBe(true);
    expect(configured.filter((f) => f.ruleId === "exposed-service" && f.exposure?.direction === "inbound").every((f) => f.witness?.iif === "eth1")).toBe(true);
  });
});

/**
 * A large Cisco ASA running-config for the benchmark: a data-centre edge with a few dozen
 * interfaces, ~2,000 object-groups (network, service, protocol, icmp-type) nested through
 * `group-object` up to several levels deep, network objects with static NAT, and ~20,000 ACEs
 * in four access lists (three bound to interfaces, one global) with remarks and inactive
 * entries. Deterministic for a seed. Every construct is one exported ASA configs use.
 */
import { prng } from "../analysis/probes.js";

export interface AsaBenchSize {
  /** Access-list entries (remarks not counted). */
  aces: number;
  /** Object-groups of every type. */
  groups: number;
}

export interface AsaBenchConfig {
  text: string;
  aces: number;
  groups: number;
}

const PORTS = ["www", "https", "smtp", "ssh", "domain", "ldap", "ldaps", "ftp", "sqlnet", "3306", "5432", "8080", "8443", "imap4", "pop3", "citrix-ica"];
const UDP_PORTS = ["domain", "ntp", "snmp", "syslog", "isakmp", "tftp", "radius", "5060"];

function v4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function generateAsaConfig(size: AsaBenchSize, seed = 1): AsaBenchConfig {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const lines: string[] = [];
  const push = (s: string) => lines.push(s);

  push(": Saved");
  push(`: fwlint benchmark config: ~${size.aces} ACEs over ~${size.groups} object-groups (seed ${seed})`);
  push("ASA Version 9.16(4)");
  push("!");
  push("hostname bench-asa");
  push("domain-name example.net");
  push("names");
  push("name 10.0.0.53 dns-primary");
  push("name 10.0.0.54 dns-secondary");
  push("!");
  const ifaces: { name: string; level: number; net: number }[] = [
    { name: "outside", level: 0, net: (203 << 24) | (0 << 16) | (113 << 8) },
    { name: "inside", level: 100, net: 10 << 24 },
    { name: "dmz", level: 50, net: (172 << 24) | (16 << 16) },
  ];
  for (let i = 0; i < 30; i++) ifaces.push({ name: `vlan${100 + i}`, level: 10 + (i % 8) * 10, net: (10 << 24) | ((100 + i) << 16) });
  ifaces.forEach((f, i) => {
    push(`interface TenGigabitEthernet0/${i}`);
    push(` nameif ${f.name}`);
    push(` security-level ${f.level}`);
    push(` ip address ${v4(f.net + 1)} ${f.name === "outside" ? "255.255.255.0" : "255.255.0.0"}`);
    push("!");
  });
  push("same-security-traffic permit inter-interface");

  // network objects, some published by static NAT
  const objects: string[] = [];
  for (let i = 0; i < 400; i++) {
    const name = `OBJ-${i}`;
    objects.push(name);
    push(`object network ${name}`);
    if (i % 5 === 0) push(` subnet ${v4((10 << 24) | (int(0, 40) << 16) | (int(0, 255) << 8))} 255.255.255.0`);
    else if (i % 7 === 0) push(` range ${v4((172 << 24) | (16 << 16) | (i << 4))} ${v4((172 << 24) | (16 << 16) | (i << 4) | 15)}`);
    else push(` host ${v4((10 << 24) | (int(0, 40) << 16) | int(1, 65000))}`);
    if (i % 8 === 1) push(` nat (inside,outside) static ${v4(((198 << 24) | (51 << 16) | (100 << 8)) + (i % 250))}`);
  }
  push("object service WEB-ALT");
  push(" service tcp destination range 8000 8099");

  // Object-groups the way data-centre configs grow them: each application has a network group
  // of its hosts in one zone (and a port group), tiers group applications, zones group tiers
  // (group-object up to four levels deep); a few service, protocol and icmp-type groups.
  const zones = ifaces.filter((f) => f.name !== "outside");
  const apps: { name: string; zone: number }[] = [];
  const tiers: { name: string; zone: number }[] = [];
  const zoneGroups: { name: string; zone: number }[] = [];
  const portGroups: string[] = [];
  const svcGroups: string[] = [];
  const icmpGroups: string[] = [];
  const protoGroups: string[] = [];
  const hostIn = (zone: number) => zones[zone]!.net + int(2, 65000);
  const nApps = Math.floor(size.groups * 0.6);
  const nTiers = Math.floor(size.groups * 0.1);
  const nPorts = Math.floor(size.groups * 0.22);
  for (let a = 0; a < nApps; a++) {
    const zone = a % zones.length;
    const name = `APP-${a}-HOSTS`;
    push(`object-group network ${name}`);
    push(` description servers of application ${a}`);
    const members = int(1, 6);
    for (let m = 0; m < members; m++) {
      const k = rand();
      if (k < 0.6) push(` network-object host ${v4(hostIn(zone))}`);
      else if (k < 0.85) push(` network-object ${v4(hostIn(zone) & ~63)} 255.255.255.${pick(["192", "224", "240"])}`);
      else push(` network-object object ${pick(objects)}`);
    }
    apps.push({ name, zone });
  }
  for (let t = 0; t < nTiers; t++) {
    const zone = t % zones.length;
    const name = `TIER-${t}`;
    push(`object-group network ${name}`);
    const mine = apps.filter((x) => x.zone === zone);
    for (let m = int(2, 4); m > 0; m--) push(` group-object ${pick(mine).name}`);
    if (t >= zones.length && rand() < 0.3) push(` group-object ${tiers[t - zones.length]!.name}`);
    tiers.push({ name, zone });
  }
  for (let z = 0; z < zones.length; z++) {
    const name = `ZONE-${zones[z]!.name}`;
    push(`object-group network ${name}`);
    push(` network-object ${v4(zones[z]!.net)} 255.255.0.0`);
    for (const t of tiers.filter((x) => x.zone === z).slice(0, 3)) push(` group-object ${t.name}`);
    zoneGroups.push({ name, zone: z });
  }
  for (let p = 0; p < nPorts; p++) {
    const name = `APP-${p}-PORTS`;
    const proto = pick(["tcp", "tcp", "tcp", "udp", "tcp-udp"]);
    push(`object-group service ${name} ${proto}`);
    for (let m = int(1, 4); m > 0; m--) {
      if (rand() < 0.75) push(` port-object eq ${proto === "udp" ? pick(UDP_PORTS) : proto === "tcp" ? pick(PORTS) : pick(["domain", "www", "5060", "sip"])}`);
      else {
        const lo = 1024 + 100 * int(0, 500);
        push(` port-object range ${lo} ${lo + 99}`);
      }
    }
    const same = portGroups.filter((x) => x.endsWith(`/${proto}`));
    if (same.length > 0 && rand() < 0.3) push(` group-object ${pick(same).split("/")[0]}`);
    portGroups.push(`${name}/${proto}`);
  }
  const rest = size.groups - nApps - nTiers - zones.length - nPorts;
  for (let g = 0; g < rest; g++) {
    if (g % 3 === 0) {
      const name = `SVC-${g}`;
      push(`object-group service ${name}`);
      push(` service-object tcp destination eq ${pick(PORTS)}`);
      push(` service-object udp destination eq ${pick(UDP_PORTS)}`);
      if (rand() < 0.5) push(" service-object icmp echo");
      if (rand() < 0.3) push(" service-object object WEB-ALT");
      if (svcGroups.length > 0 && rand() < 0.3) push(` group-object ${pick(svcGroups)}`);
      svcGroups.push(name);
    } else if (g % 3 === 1) {
      const name = `ICMP-${g}`;
      push(`object-group icmp-type ${name}`);
      push(" icmp-object echo");
      push(" icmp-object echo-reply");
      push(` icmp-object ${pick(["unreachable", "time-exceeded", "parameter-problem"])}`);
      if (icmpGroups.length > 0 && rand() < 0.3) push(` group-object ${pick(icmpGroups)}`);
      icmpGroups.push(name);
    } else {
      const name = `PROTO-${g}`;
      push(`object-group protocol ${name}`);
      push(" protocol-object gre");
      push(" protocol-object esp");
      push(` protocol-object ${pick(["ah", "ospf", "pim", "igmp"])}`);
      protoGroups.push(name);
    }
  }
  push("!");

  // Access lists: OUTSIDE_IN (50%) publishes applications to any source after a blocklist;
  // DMZ_IN, INSIDE_IN (20% each) and the global list (10%) open application ports between zones.
  const lists: [string, number, number | undefined][] = [
    ["OUTSIDE_IN", Math.floor(size.aces * 0.5), undefined],
    ["DMZ_IN", Math.floor(size.aces * 0.2), 1],
    ["INSIDE_IN", Math.floor(size.aces * 0.2), 0],
  ];
  lists.push(["GLOBAL_POLICY", size.aces - lists.reduce((n, [, c]) => n + c, 0), undefined]);
  let aces = 0;
  const appOrTier = (zone?: number) => {
    if (rand() < 0.15) return `object-group ${pick(zone === undefined ? tiers : tiers.filter((t) => t.zone === zone)).name}`;
    if (rand() < 0.1) return `host ${v4(hostIn(zone ?? int(0, zones.length - 1)))}`;
    return `object-group ${pick(zone === undefined ? apps : apps.filter((x) => x.zone === zone)).name}`;
  };
  for (const [acl, count, zone] of lists) {
    const blocklist = acl === "OUTSIDE_IN" ? Math.floor(count * 0.05) : 0;
    for (let i = 0; i < count; i++) {
      if (i % 10 === 0) push(`access-list ${acl} remark change request CR-${1000 + i} (${acl})`);
      let ace: string;
      if (i < blocklist) {
        ace = rand() < 0.7 ? `deny ip host ${v4(((100 + int(0, 20)) << 24) | int(0, 0xffffff))} any` : `deny ip ${v4(((100 + int(0, 20)) << 24) | (int(0, 0xffff) << 8))} 255.255.255.0 any`;
      } else {
        const src = acl === "OUTSIDE_IN" ? "any" : acl === "GLOBAL_POLICY" ? `object-group ${pick(zoneGroups).name}` : appOrTier(zone);
        const dst = appOrTier();
        const k = rand();
        const action = rand() < 0.04 ? "deny" : "permit";
        if (k < 0.6) {
          const [pg, proto] = pick(portGroups).split("/") as [string, string];
          ace = `${action} ${proto === "tcp-udp" ? "tcp" : proto} ${src} ${dst} object-group ${pg}`;
        } else if (k < 0.82) {
          const op = pick(["eq", "eq", "eq", "eq", "range"]);
          const lo = 1024 + 100 * int(0, 500);
          ace = `${action} tcp ${src} ${dst} ${op === "range" ? `range ${lo} ${lo + 99}` : `eq ${pick(PORTS)}`}`;
        } else if (k < 0.9 && svcGroups.length > 0) {
          ace = `${action} object-group ${pick(svcGroups)} ${src} ${dst}`;
        } else if (k < 0.95 && icmpGroups.length > 0) {
          ace = `${action} icmp ${src} ${dst} object-group ${pick(icmpGroups)}`;
        } else if (k < 0.97 && protoGroups.length > 0) {
          ace = `${action} object-group ${pick(protoGroups)} ${src} ${dst}`;
        } else {
          ace = `${action} udp ${src} host ${rand() < 0.5 ? "dns-primary" : "dns-secondary"} range ${1024 + i} ${1024 + i + int(0, 50)}`;
        }
      }
      const suffix = rand() < 0.1 ? " log" : rand() < 0.02 ? " inactive" : "";
      push(`access-list ${acl} extended ${ace}${suffix}`);
      aces++;
    }
  }
  push("access-list OUTSIDE_IN extended deny ip any any log");
  aces++;
  push("access-group OUTSIDE_IN in interface outside");
  push("access-group DMZ_IN in interface dmz");
  push("access-group INSIDE_IN in interface inside");
  push("access-group GLOBAL_POLICY global");
  push("!");
  push("ssh 10.0.0.0 255.0.0.0 inside");
  push("http server enable");
  push("http 10.0.0.0 255.0.0.0 inside");
  push("crypto ikev2 enable outside");
  push("logging enable");
  push("logging buffered informational");
  push("timeout xlate 3:00:00");
  push(": end");
  return { text: lines.join("\n") + "\n", aces, groups: size.groups };
}

/**
 * An ASA edge whose published services name object-groups that hold an fqdn object beside their
 * hosts (a SaaS relay, a partner's cloud endpoint - the address is known only when the firewall
 * resolves the name): `entries` ACEs, each from one partner host to one such group on its own
 * port. fwlint reads each entry as its known part, decided for certain, and the fqdn part, which
 * it cannot judge: every entry leaves a flow of its own whose fate depends on that name. Sized and
 * shaped as the config that took 70 s before such flows were kept apart.
 */
export function generateAsaFqdnConfig(entries: number, seed = 1): AsaBenchConfig {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const groups = 20;
  const lines: string[] = [
    ": Saved",
    `: fwlint benchmark config: ${entries} ACEs naming object-groups with fqdn objects (seed ${seed})`,
    "ASA Version 9.16(4)",
    "hostname bench-asa-fqdn",
    "interface TenGigabitEthernet0/0",
    " nameif outside",
    " security-level 0",
    " ip address 203.0.113.1 255.255.255.0",
    "!",
    "interface TenGigabitEthernet0/1",
    " nameif inside",
    " security-level 100",
    " ip address 10.0.0.1 255.255.0.0",
    "!",
  ];
  for (let g = 0; g < groups; g++) {
    lines.push(`object network RELAY-${g}`, ` fqdn relay${g}.example.com`);
  }
  for (let g = 0; g < groups; g++) {
    lines.push(`object-group network SERVERS-${g}`);
    for (let h = 0; h < 200; h++) lines.push(` network-object host ${v4((10 << 24) | (g << 8) | h)}`);
    lines.push(` network-object object RELAY-${g}`);
  }
  for (let i = 0; i < entries; i++) {
    if (i % 25 === 0) lines.push(`access-list OUTSIDE_IN remark partner batch ${i / 25}`);
    const partner = ((198 << 24) | (51 << 16)) + i;
    lines.push(`access-list OUTSIDE_IN extended permit tcp host ${v4(partner)} object-group SERVERS-${i % groups} eq ${1000 + i}${int(0, 9) === 0 ? " log" : ""}`);
  }
  lines.push("access-list OUTSIDE_IN extended deny ip any any log", "access-group OUTSIDE_IN in interface outside", ": end");
  return { text: lines.join("\n") + "\n", aces: entries + 1, groups };
}

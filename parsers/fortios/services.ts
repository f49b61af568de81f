/**
 * FortiOS services as packet conditions: `firewall service custom` entries and `firewall service
 * group` groups (members nest). A custom service is TCP/UDP/SCTP (the default protocol) with port
 * ranges `DST[-DST2][:SRC[-SRC2]]`, several per field; ICMP / ICMP6 with `icmptype` and `icmpcode`
 * (unset: any); or IP with `protocol-number` (0: every protocol, which is how ALL is defined). An
 * `iprange` narrows the destination; an `fqdn` is an unknown condition. The predefined services a
 * backup lists as ordinary entries are read from the file; a name the file does not define but
 * FortiOS has built in (HTTP, SSH, ALL ...) falls back to its factory definition.
 */
import { parseAddrRange } from "../../src/model/address.js";
import type { Condition, PortRange } from "../../src/model/types.js";
import type { Alternatives } from "./addresses.js";
import { entryOf, valueOf, valuesOf, type Block, type Entry, type Token } from "./reader.js";
import { undefinedRef, type FortiosContext } from "./scope.js";

const TCP = 6;
const UDP = 17;
const SCTP = 132;

/** TCP / UDP to destination ports lo-hi. */
export const tcp = (lo: number, hi = lo): Alternatives[number] => [{ kind: "proto", protos: [TCP] }, { kind: "port", field: "dport", ranges: [[lo, hi]] }];
export const udp = (lo: number, hi = lo): Alternatives[number] => [{ kind: "proto", protos: [UDP] }, { kind: "port", field: "dport", ranges: [[lo, hi]] }];
const icmp = (type?: number): Alternatives[number] => [{ kind: "proto", protos: [1] }, { kind: "icmp", family: 4, ...(type === undefined ? {} : { type }) }];
const icmp6 = (type?: number): Alternatives[number] => [{ kind: "proto", protos: [58] }, { kind: "icmp", family: 6, ...(type === undefined ? {} : { type }) }];
const proto = (p: number): Alternatives[number] => [{ kind: "proto", protos: [p] }];

/** FortiOS's factory services, for names a file uses without defining them. */
const PREDEFINED: ReadonlyMap<string, Alternatives> = new Map([
  ["ALL", [[]]],
  ["ALL_TCP", [tcp(1, 65535)]],
  ["ALL_UDP", [udp(1, 65535)]],
  ["ALL_ICMP", [icmp()]],
  ["ALL_ICMP6", [icmp6()]],
  ["GRE", [proto(47)]],
  ["AH", [proto(51)]],
  ["ESP", [proto(50)]],
  ["OSPF", [proto(89)]],
  ["PING", [icmp(8)]],
  ["PING6", [icmp6(128)]],
  ["TIMESTAMP", [icmp(13)]],
  ["INFO_REQUEST", [icmp(15)]],
  ["INFO_ADDRESS", [icmp(17)]],
  ["TRACEROUTE", [udp(33434, 33535)]],
  ["HTTP", [tcp(80)]],
  ["HTTPS", [tcp(443)]],
  ["WEB", [tcp(80), tcp(443)]],
  ["SSH", [tcp(22)]],
  ["TELNET", [tcp(23)]],
  ["FTP", [tcp(21)]],
  ["FTP_GET", [tcp(21)]],
  ["FTP_PUT", [tcp(21)]],
  ["TFTP", [udp(69)]],
  ["DNS", [tcp(53), udp(53)]],
  ["NTP", [tcp(123), udp(123)]],
  ["SMTP", [tcp(25)]],
  ["SMTPS", [tcp(465)]],
  ["POP3", [tcp(110)]],
  ["POP3S", [tcp(995)]],
  ["IMAP", [tcp(143)]],
  ["IMAPS", [tcp(993)]],
  ["NNTP", [tcp(119)]],
  ["SNMP", [tcp(161, 162), udp(161, 162)]],
  ["SYSLOG", [udp(514)]],
  ["LDAP", [tcp(389)]],
  ["LDAP_UDP", [udp(389)]],
  ["KERBEROS", [tcp(88), udp(88)]],
  ["RADIUS", [udp(1812, 1813)]],
  ["RADIUS-OLD", [udp(1645, 1646)]],
  ["SAMBA", [tcp(139)]],
  ["SMB", [tcp(445)]],
  ["CIFS", [tcp(445)]],
  ["NetBIOS-NS", [udp(137)]],
  ["NetBIOS-DGM", [udp(138)]],
  ["NetBIOS-SSN", [tcp(139)]],
  ["RDP", [tcp(3389)]],
  ["VNC", [tcp(5900)]],
  ["MYSQL", [tcp(3306)]],
  ["MS-SQL", [tcp(1433, 1434)]],
  ["NFS", [tcp(111), tcp(2049), udp(111), udp(2049)]],
  ["SIP", [udp(5060)]],
  ["IKE", [udp(500), udp(4500)]],
  ["L2TP", [tcp(1701), udp(1701)]],
  ["PPTP", [tcp(1723)]],
  ["BGP", [tcp(179)]],
  ["RIP", [udp(520)]],
  ["DHCP", [udp(67, 68)]],
  ["DHCP6", [udp(546, 547)]],
  ["SQUID", [tcp(3128)]],
  ["X-WINDOWS", [tcp(6000, 6063)]],
  ["IRC", [tcp(6660, 6669)]],
  ["REXEC", [tcp(512)]],
  ["RLOGIN", [tcp(513, 1023)]],
  ["RSH", [tcp(514, 1023)]],
  ["ONC-RPC", [tcp(111), udp(111)]],
  ["DCE-RPC", [tcp(135), udp(135)]],
  ["SNMP-TRAP", [tcp(162), udp(162)]],
  ["MMS", [tcp(1755), udp(1024, 5000)]],
  ["AFS3", [tcp(7000, 7009), udp(7000, 7009)]],
  ["H323", [tcp(1720), tcp(1503), udp(1719)]],
  ["PC-Anywhere", [tcp(5631), udp(5632)]],
  ["SOCKS", [tcp(1080), udp(1080)]],
  ["WINFRAME", [tcp(1494), tcp(2598)]],
  ["WINS", [tcp(1512), udp(1512)]],
]);

export class Services {
  private readonly memo = new Map<string, Alternatives | undefined>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly ctx: FortiosContext,
    private readonly custom: Block | undefined,
    private readonly groups: Block | undefined,
  ) {}

  /** What `name` matches, as alternatives; undefined when it is neither defined nor built in. */
  resolve(name: string): Alternatives | undefined {
    if (this.memo.has(name)) return this.memo.get(name);
    if (this.resolving.has(name)) return undefined;
    this.resolving.add(name);
    const custom = entryOf(this.custom, name);
    const group = custom ? undefined : entryOf(this.groups, name);
    const value = custom ? this.customOf(custom) : group ? this.groupOf(group) : PREDEFINED.get(name);
    this.resolving.delete(name);
    this.memo.set(name, value);
    return value;
  }

  /** What the services a policy names match; an undefined one is reported (naming `user`) and matches an unknown service. */
  resolveUsed(names: readonly Token[], user: string): Alternatives {
    const alts: Alternatives = [];
    for (const n of names) {
      const v = this.resolve(n.text);
      if (v) alts.push(...v);
      else {
        undefinedRef(this.ctx, n, `${user}: service '${n.text}' is not defined (neither in 'firewall service custom', 'firewall service group' nor a predefined service)`);
        alts.push([{ kind: "unknown", text: `service ${n.text}`, reason: `undefined service ${n.text}` }]);
      }
    }
    return alts;
  }

  private groupOf(g: Entry): Alternatives {
    const alts: Alternatives = [];
    for (const m of valuesOf(g, "member")) {
      const v = this.resolve(m.text);
      if (v) {
        alts.push(...v);
        continue;
      }
      const cycle = this.resolving.has(m.text);
      this.ctx.diags.error(m, cycle ? `service group '${g.key}': member '${m.text}' contains the group itself (a cycle)` : `service group '${g.key}': member '${m.text}' is not a defined service or service group`);
      alts.push([{ kind: "unknown", text: `service ${m.text}`, reason: `undefined service ${m.text}` }]);
    }
    return alts;
  }

  private customOf(e: Entry): Alternatives {
    const protocol = (valueOf(e, "protocol") ?? "TCP/UDP/SCTP").toUpperCase();
    const where = this.destinationOf(e);
    const alts = this.protocolAlternatives(e, protocol);
    return where.length === 0 ? alts : alts.map((a) => [...where, ...a]);
  }

  private protocolAlternatives(e: Entry, protocol: string): Alternatives {
    switch (protocol) {
      case "TCP/UDP/SCTP":
      case "TCP/UDP/UDP-LITE/SCTP": {
        const alts: Alternatives = [];
        for (const [field, p] of [["tcp-portrange", TCP], ["udp-portrange", UDP], ["sctp-portrange", SCTP]] as const) {
          for (const w of valuesOf(e, field)) {
            const r = portClause(w.text);
            if (!r) {
              this.ctx.diags.error(w, `service '${e.key}': '${w.text}' is not a port range; expected DST[-DST2][:SRC[-SRC2]] with ports 0-65535`);
              continue;
            }
            const c: Condition[] = [{ kind: "proto", protos: [p] }];
            if (!(r.dst[0] <= 1 && r.dst[1] === 65535)) c.push({ kind: "port", field: "dport", ranges: [r.dst] });
            if (r.src && !(r.src[0] <= 1 && r.src[1] === 65535)) c.push({ kind: "port", field: "sport", ranges: [r.src] });
            alts.push(c);
          }
        }
        if (alts.length === 0 && !e.fields.has("fqdn") && !e.fields.has("iprange")) this.ctx.diags.warn(e.keyToken, `service '${e.key}' (protocol ${protocol}) has no port range: it matches no traffic`);
        return alts;
      }
      case "ICMP":
      case "ICMP6": {
        const family = protocol === "ICMP" ? 4 : 6;
        const typeText = valueOf(e, "icmptype");
        const codeText = valueOf(e, "icmpcode");
        const type = typeText === undefined ? undefined : Number(typeText);
        const code = codeText === undefined ? undefined : Number(codeText);
        const c: Condition = { kind: "icmp", family, ...(type !== undefined && Number.isInteger(type) && type >= 0 && type <= 255 ? { type } : {}), ...(code !== undefined && type !== undefined && Number.isInteger(code) && code >= 0 && code <= 255 ? { codeLo: code, codeHi: code } : {}) };
        return [[{ kind: "proto", protos: [family === 4 ? 1 : 58] }, c]];
      }
      case "IP":
      case "ALL": {
        const n = Number(valueOf(e, "protocol-number") ?? "0");
        if (!Number.isInteger(n) || n < 0 || n > 255) {
          this.ctx.diags.error(e.fields.get("protocol-number")!.values[0]!, `service '${e.key}': protocol-number must be 0-255`);
          return [];
        }
        return n === 0 ? [[]] : [[{ kind: "proto", protos: [n] }]];
      }
      default:
        this.ctx.diags.info(e.fields.get("protocol")!.values[0]!, `service '${e.key}': protocol ${protocol} is not modelled; kept as an unknown condition`);
        return [[{ kind: "unknown", text: `service ${e.key} (protocol ${protocol})`, reason: `service protocol ${protocol} not modelled` }]];
    }
  }

  /** The destination an `iprange` or `fqdn` of the service narrows to. */
  private destinationOf(e: Entry): Condition[] {
    const range = valuesOf(e, "iprange")[0];
    if (range && range.text !== "0.0.0.0") {
      const r = parseAddrRange(range.text, 4);
      if (r) return [{ kind: "addr", field: "dst", family: 4, ranges: [r] }];
      this.ctx.diags.error(range, `service '${e.key}': '${range.text}' is not an IPv4 address range`);
    }
    const fqdn = valueOf(e, "fqdn");
    if (fqdn) return [{ kind: "unknown", text: `service ${e.key} fqdn ${fqdn}`, reason: "a service for a DNS name: its addresses are not in the file" }];
    return [];
  }
}

/** `DST[-DST2][:SRC[-SRC2]]`. */
export function portClause(text: string): { dst: PortRange; src?: PortRange } | undefined {
  const [d, s, extra] = text.split(":");
  if (d === undefined || extra !== undefined) return undefined;
  const dst = portRange(d);
  if (!dst) return undefined;
  if (s === undefined) return { dst };
  const src = portRange(s);
  return src ? { dst, src } : undefined;
}

/** `LO[-HI]`, ports 0-65535 (also a VIP's extport / mappedport). */
export function portRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || hi < lo) return undefined;
  return [lo, hi];
}


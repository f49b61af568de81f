/**
 * Config lines -> AsaConfig: reads the commands that decide what traffic passes (interfaces,
 * objects, object-groups, access-lists, access-groups, NAT, same-security-traffic, management
 * access, static routes) and skips the rest, counting skipped commands per keyword for one info diagnostic each.
 * Command words and keywords are compared on Word.key (any case, keywords.ts for abbreviations),
 * names on Word.text.
 */
import type { AddrRange, Diagnostic, Family } from "../../src/model/types.js";
import { maskToPrefix, parseIPv4Strict, parseIPv6, prefixRange } from "../../src/model/address.js";
import { readAce } from "./ace.js";
import type { AccessList, Ace, AddrSpec, AsaConfig, AsaInterface, GroupType, NatRule, ObjectGroup, Pos, Service } from "./config.js";
import { type ConfigLine, configLine, restOfLine, type Word } from "./lines.js";
import { ACL_TYPES, GROUP_COMMANDS, IRRELEVANT_COMMANDS, keyword, OBJECT_COMMANDS, readCommand } from "./keywords.js";
import { asaIcmpType, asaPort, asaProtocol } from "./names.js";
import { addrWithMask, Cursor, isPortOp, literalAddress, prefixLiteral, readAddress, readHost, readNetmask, readPortOp, readService, type SlotContext } from "./slots.js";

interface Block {
  kind: "interface" | "object network" | "object service" | "group" | "other";
  iface?: AsaInterface;
  name?: string;
  group?: ObjectGroup;
}

export class Extractor {
  readonly diagnostics: Diagnostic[] = [];
  readonly config: AsaConfig = {
    interfaces: [],
    networkObjects: new Map(),
    serviceObjects: new Map(),
    groups: new Map(),
    accessLists: new Map(),
    accessGroups: [],
    nat: [],
    sameSecurityInter: false,
    sameSecurityIntra: false,
    management: [],
    sshPort: 22,
    ikeInterfaces: [],
    icmpRules: [],
    routes: [],
    usesIPv6: false,
    usesAny: false,
    referencedWords: new Set(),
  };
  /** Inactive ACEs skipped, for one info diagnostic per ACL. */
  private readonly skipped = new Map<string, { count: number; line: number; column: number }>();
  readonly ctx: SlotContext = { aliases: new Map(), groupTypes: new Map() };
  /** `http server enable`: where. */
  private httpEnabled?: Pos;
  private httpPort = 443;

  constructor(readonly file: string) {}

  private diag(severity: Diagnostic["severity"], l: ConfigLine, w: Word | undefined, message: string): void {
    this.diagnostics.push({ severity, message, file: this.file, line: l.line, column: w?.column ?? l.words[0]!.column });
  }

  private cursor(l: ConfigLine, start: number): Cursor {
    return new Cursor(l, start, (w, m, sev) => this.diag(sev ?? "error", l, w, m));
  }

  private pos(l: ConfigLine, w?: Word): Pos {
    return { line: l.line, column: w?.column ?? l.words[0]!.column, text: l.raw };
  }

  /** Reads the file's rows (configRows). */
  run(rows: readonly string[]): AsaConfig {
    this.prescan(rows);
    let block: Block = { kind: "other" };
    const referenced = this.config.referencedWords;
    for (let i = 0; i < rows.length; i++) {
      const l = configLine(rows, i);
      if (!l) continue;
      if (l.words[0]!.key !== "access-list") for (const w of l.words) referenced.add(w.text);
      if (l.indent > 0 && l.words[0]!.key !== "access-list") {
        this.child(block, l);
        continue;
      }
      if (l.indent > 0) {
        this.expansion(l);
        continue;
      }
      this.lastShowAce = undefined;
      block = this.top(l);
    }
    if (this.httpEnabled) this.config.httpServer = { port: this.httpPort, pos: this.httpEnabled };
    else this.config.management = this.config.management.filter((m) => m.service !== "http");
    for (const [acl, s] of this.skipped) {
      this.diagnostics.push({ severity: "info", message: `access-list ${acl}: ${s.count} inactive entr${s.count === 1 ? "y" : "ies"} skipped (inactive entries never match)`, file: this.file, line: s.line, column: s.column });
    }
    for (const s of this.unknownCommands.values()) {
      this.diagnostics.push({ severity: "info", message: `'${s.text}' is not read by fwlint (${s.count} line${s.count === 1 ? "" : "s"}, skipped)`, file: this.file, line: s.line, column: s.column });
    }
    return this.config;
  }

  /** Names and object-group types first: ACE slots depend on them, wherever they are defined. */
  private prescan(rows: readonly string[]): void {
    for (let i = 0; i < rows.length; i++) {
      // only `name` and `object-group` (or an abbreviation) are read here: a row that starts with
      // anything but n or o is not split
      const c = rows[i]!.charCodeAt(0) | 0x20;
      if (c !== 0x6e && c !== 0x6f) continue;
      const l = configLine(rows, i);
      if (!l || l.indent > 0) continue;
      const w = l.words;
      const command = readCommand(w[0]!);
      if (command === "name" && w.length >= 3) {
        const v4 = parseIPv4Strict(w[1]!.text);
        const v6 = v4 === null ? parseIPv6(w[1]!.text) : null;
        if (v4 !== null) this.ctx.aliases.set(w[2]!.text, { family: 4, addr: v4 });
        else if (v6 !== null) this.ctx.aliases.set(w[2]!.text, { family: 6, addr: v6 });
      } else if (command === "object-group" && w.length >= 3) {
        const type = groupType(w[1]!.key, w[3]?.key);
        if (type) this.ctx.groupTypes.set(w[2]!.text, { type });
      }
    }
  }

  private readonly unknownCommands = new Map<string, { text: string; count: number; line: number; column: number }>();

  /** Counted per command in any case; reported as first written. */
  private unknown(l: ConfigLine): void {
    const s = this.unknownCommands.get(l.words[0]!.key);
    if (s) s.count++;
    else this.unknownCommands.set(l.words[0]!.key, { text: l.words[0]!.text, count: 1, line: l.line, column: l.words[0]!.column });
  }

  private top(l: ConfigLine): Block {
    const w = l.words;
    const command = readCommand(w[0]!);
    switch (command) {
      case "asa":
      case "pix": {
        const m = /^([0-9]+)\.([0-9]+)/.exec(w[2]?.text ?? "");
        if (w[1]?.key === "version" && m) {
          this.config.version = [Number(m[1]), Number(m[2])];
          this.config.versionPos = this.pos(l);
        }
        return { kind: "other" };
      }
      case "interface": {
        if (!w[1]) {
          this.diag("error", l, undefined, "expected an interface name after 'interface'");
          return { kind: "other" };
        }
        const iface: AsaInterface = { hardware: w[1].text, v4: [], v6: [], subnets: [], pos: this.pos(l) };
        this.config.interfaces.push(iface);
        return { kind: "interface", iface };
      }
      case "object":
        return this.objectHeader(l);
      case "object-group":
        return this.groupHeader(l);
      case "access-list":
        this.accessList(l);
        return { kind: "other" };
      case "access-group":
        this.accessGroup(l);
        return { kind: "other" };
      case "nat":
        this.twiceNat(l);
        return { kind: "other" };
      case "static":
        this.legacyStatic(l);
        return { kind: "other" };
      case "same-security-traffic": {
        const scope = keyword(w[1], ["permit"]) ? keyword(w[2], ["inter-interface", "intra-interface"]) : undefined;
        if (scope === "inter-interface") this.config.sameSecurityInter = true;
        else if (scope === "intra-interface") this.config.sameSecurityIntra = true;
        else this.diag("warning", l, w[1], "expected 'same-security-traffic permit inter-interface|intra-interface'");
        return { kind: "other" };
      }
      case "ssh":
      case "telnet":
      case "http":
        this.management(l, command);
        return { kind: "other" };
      case "crypto":
        if (/^ikev[12]$/.test(w[1]?.key ?? "") && w[2]?.key === "enable" && w[3]) this.config.ikeInterfaces.push({ iface: w[3].text, pos: this.pos(l) });
        else if (w[1]?.key === "isakmp" && w[2]?.key === "enable" && w[3]) this.config.ikeInterfaces.push({ iface: w[3].text, pos: this.pos(l) });
        return { kind: "other" };
      case "clear":
        // `clear configure access-list X` empties X (generated configs start with it)
        if (w[1]?.key === "configure" && w[2]?.key === "access-list" && w[3]) this.config.accessLists.delete(w[3].text);
        return { kind: "other" };
      case "name":
      case "names":
        return { kind: "other" }; // read in prescan
      case "ipv6":
        this.config.usesIPv6 = true;
        if (w[1]?.key === "icmp") this.icmpRule(l, 6, 2);
        else if (w[1]?.key === "route") this.route(l, 6, 2);
        else if (w[1]?.key === "router") this.config.dynamicRouting ??= this.pos(l);
        return { kind: "other" };
      case "route":
        this.route(l, 4, 1);
        return { kind: "other" };
      case "router":
        this.config.dynamicRouting ??= this.pos(l);
        return { kind: "other" };
      case "icmp":
        this.icmpRule(l, 4, 1);
        return { kind: "other" };
      default: {
        const kw = w[0]!.key;
        if (!IRRELEVANT_COMMANDS.has(kw) && !kw.startsWith("cryptochecksum:")) this.unknown(l);
        return { kind: "other" };
      }
    }
  }

  private child(block: Block, l: ConfigLine): void {
    const w = l.words;
    switch (block.kind) {
      case "interface":
        this.interfaceLine(block.iface!, l);
        return;
      case "object network":
        this.networkObjectLine(block.name!, l);
        return;
      case "object service":
        if (keyword(w[0], OBJECT_COMMANDS) === "service") {
          const c = this.cursor(l, 1);
          const svc = readService(c);
          if (svc) this.config.serviceObjects.get(block.name!)!.service = svc;
          this.trailing(c);
        }
        return;
      case "group":
        this.groupMember(block.group!, l);
        return;
      default:
        return;
    }
  }

  private trailing(c: Cursor): void {
    if (!c.done()) c.fail(c.word(), `unexpected '${c.peek()}' at the end of the line`, "warning");
  }

  private interfaceLine(iface: AsaInterface, l: ConfigLine): void {
    const w = l.words;
    // interface mode has many commands fwlint does not list: keywords are matched in full only
    switch (w[0]!.key) {
      case "nameif":
        if (w[1]) iface.nameif = w[1].text;
        return;
      case "management-only":
        iface.managementOnly = this.pos(l);
        return;
      case "security-level": {
        const n = Number(w[1]?.text);
        if (!w[1] || !/^[0-9]{1,3}$/.test(w[1].text) || n > 100) {
          this.diag("error", l, w[1], `expected a security level 0-100${w[1] ? `, got '${w[1].text}'` : ""}`);
          return;
        }
        iface.level = n;
        iface.levelPos = this.pos(l);
        return;
      }
      case "ip":
        if (w[1]?.key === "address" && w[2]) {
          const a = parseIPv4Strict(w[2].text);
          if (a !== null) iface.v4.push(a);
          const mask = w[3] ? parseIPv4Strict(w[3].text) : null;
          const len = mask === null ? null : maskToPrefix(mask, 4);
          if (a !== null && len !== null) iface.subnets.push({ family: 4, range: prefixRange(a, len, 4) });
        }
        return;
      case "ipv6": {
        this.config.usesIPv6 = true;
        if (w[1]?.key === "address" && w[2]) {
          const [text, lenText] = w[2].text.split("/");
          const a = parseIPv6(text!);
          if (a !== null) iface.v6.push(a);
          const len = lenText !== undefined && /^[0-9]{1,3}$/.test(lenText) && Number(lenText) <= 128 ? Number(lenText) : null;
          if (a !== null && len !== null && w[3]?.key !== "link-local") iface.subnets.push({ family: 6, range: prefixRange(a, len, 6) });
        }
        return;
      }
      case "no":
        if (w[1]?.key === "nameif") delete iface.nameif;
        return;
      default:
        return;
    }
  }

  private objectHeader(l: ConfigLine): Block {
    const w = l.words;
    const type = w[1]?.key;
    const name = w[2]?.text;
    if (!name || (type !== "network" && type !== "service")) {
      if (type !== "network" && type !== "service" && name) return { kind: "other" }; // object types fwlint does not read
      this.diag("error", l, w[2] ?? w[1], "expected 'object network NAME' or 'object service NAME'");
      return { kind: "other" };
    }
    if (type === "network") {
      if (!this.config.networkObjects.has(name)) this.config.networkObjects.set(name, { name, pos: this.pos(l, w[2]) });
      return { kind: "object network", name };
    }
    if (!this.config.serviceObjects.has(name)) this.config.serviceObjects.set(name, { name, pos: this.pos(l, w[2]) });
    return { kind: "object service", name };
  }

  private networkObjectLine(name: string, l: ConfigLine): void {
    const obj = this.config.networkObjects.get(name)!;
    const w = l.words;
    const c = this.cursor(l, 1);
    let value: AddrSpec | undefined;
    switch (keyword(w[0], OBJECT_COMMANDS)) {
      case "host":
        value = readHost(c, this.ctx);
        break;
      case "subnet": {
        const a = c.next();
        if (!a) {
          c.fail(c.end(), "expected an address after 'subnet'");
          return;
        }
        if (a.text.includes("/")) {
          c.i = 1;
          value = readAddress(c, this.ctx);
        } else value = addrWithMask(c, this.ctx, a, c.next());
        break;
      }
      case "range": {
        const a = c.next();
        const b = c.next();
        const fa = a ? literalAddr(a.text) : undefined;
        const fb = b ? literalAddr(b.text) : undefined;
        if (!fa || !fb || fa.family !== fb.family || fa.addr > fb.addr) {
          c.fail(a ?? c.end(), "expected 'range FIRST LAST' with two addresses of one family, first <= last");
          return;
        }
        value = { kind: "range", family: fa.family, range: { lo: fa.addr, hi: fb.addr } };
        break;
      }
      case "fqdn": {
        const n = w[w.length - 1];
        value = { kind: "unknown", text: `fqdn ${n && w.length > 1 ? n.text : ""}`.trim() };
        c.i = w.length;
        break;
      }
      case "nat":
        this.objectNat(name, l);
        return;
      default:
        return;
    }
    if (value) {
      if (value.kind === "range" && value.family === 6) this.config.usesIPv6 = true;
      obj.value = value;
      this.trailing(c);
    }
  }

  private groupHeader(l: ConfigLine): Block {
    const w = l.words;
    const typeKey = w[1]?.key;
    const name = w[2]?.text;
    const type = typeKey ? groupType(typeKey, w[3]?.key) : undefined;
    if (!name || !type) {
      if (name && typeKey && ["user", "security", "network-service", "local-user"].includes(typeKey)) return { kind: "other" };
      this.diag("info", l, w[1], `object-group ${w[1]?.text ?? ""}: fwlint reads network, service, protocol and icmp-type groups; skipped`);
      return { kind: "other" };
    }
    let group = this.config.groups.get(name);
    if (!group) {
      group = { name, type, members: [], pos: this.pos(l, w[2]) };
      if (type === "port") group.portProtos = asaProtocol(w[3]!.text) ?? [6, 17];
      this.config.groups.set(name, group);
    }
    return { kind: "group", group };
  }

  private groupMember(g: ObjectGroup, l: ConfigLine): void {
    const w = l.words;
    const kw = keyword(w[0], GROUP_COMMANDS);
    const c = this.cursor(l, 1);
    if (kw === "description") return;
    if (kw === "group-object") {
      const n = c.next();
      if (!n) return c.fail(c.end(), "expected a group name after 'group-object'");
      g.members.push({ kind: "group", name: n.text, pos: c.pos(n) });
    } else if (kw === "network-object" && g.type === "network") {
      const a = readAddress(c, this.ctx);
      if (!a) return;
      if (a.kind === "range" && a.family === 6) this.config.usesIPv6 = true;
      g.members.push({ kind: "addr", spec: a });
    } else if (kw === "port-object" && (g.type === "port" || g.type === "service")) {
      if (!isPortOp(c.key())) return c.fail(c.word() ?? c.end(), "expected eq, neq, lt, gt or range after 'port-object'");
      const r = readPortOp(c, g.portProtos ?? [6, 17]);
      if (!r) return;
      g.members.push({ kind: "ports", ranges: r });
    } else if (kw === "service-object" && g.type === "service") {
      if (c.key() === "object") {
        c.next();
        const n = c.next();
        if (!n) return c.fail(c.end(), "expected a service object name");
        g.members.push({ kind: "service-object", name: n.text, pos: c.pos(n) });
      } else {
        const svc = readService(c);
        if (!svc) return;
        g.members.push({ kind: "service", service: svc });
      }
    } else if (kw === "protocol-object" && g.type === "protocol") {
      const p = c.next();
      const protos = p ? asaProtocol(p.text) : undefined;
      if (protos === undefined) return c.fail(p ?? c.end(), `expected a protocol name or number${p ? `, got '${p.text}'` : ""}`);
      g.members.push({ kind: "protocol", protos });
    } else if (kw === "icmp-object" && g.type === "icmp-type") {
      const t = c.next();
      const type = t ? (asaIcmpType(t.text, 4) ?? asaIcmpType(t.text, 6)) : undefined;
      if (type === undefined) return c.fail(t ?? c.end(), `expected an ICMP type name or number${t ? `, got '${t.text}'` : ""}`);
      g.members.push({ kind: "icmp", sel: { type } });
    } else {
      return c.fail(w[0], `'${w[0]!.text}' does not belong in an object-group ${g.type === "port" ? "service (port group)" : g.type}`, "warning");
    }
    this.trailing(c);
  }

  private accessList(l: ConfigLine): void {
    const w = l.words;
    const name = w[1]?.text;
    if (!name || name.endsWith(";") || w[1]!.text === "cached") return; // show access-list headers
    let i = 2;
    let at: number | undefined;
    let kind = keyword(w[i], ACL_TYPES);
    if (kind === "line" && /^[0-9]+$/.test(w[i + 1]?.text ?? "")) {
      at = Number(w[i + 1]!.text);
      i += 2;
      kind = keyword(w[i], ACL_TYPES);
    }
    const acl = (): AccessList => {
      let a = this.config.accessLists.get(name);
      if (!a) {
        a = { name, entries: [], pos: this.pos(l, w[1]) };
        this.config.accessLists.set(name, a);
      }
      return a;
    };
    const place = (a: AccessList, e: AccessList["entries"][number]) => {
      if (at !== undefined && at >= 1 && at <= a.entries.length) a.entries.splice(at - 1, 0, e);
      else a.entries.push(e);
    };
    if (kind === "remark") {
      place(acl(), { kind: "remark", text: restOfLine(l, i + 1), pos: this.pos(l) });
      return;
    }
    if (kind === "standard" || kind === "webtype" || kind === "ethertype") return; // not interface filters
    if (kind !== "extended") {
      // `access-list NAME permit ...` (no keyword) is an extended ACE in old PIX syntax
      if (kind === "permit" || kind === "deny") i -= 1;
      else {
        this.diag("error", l, w[i], `expected 'extended', 'standard' or 'remark' after the access-list name${w[i] ? `, got '${w[i]!.text}'` : ""}`);
        return;
      }
    }
    const c = this.cursor(l, i + 1);
    const ace = readAce(c, this.ctx);
    if (!ace) return;
    if (ace.src.kind === "any" && ace.src.families.length === 2) this.config.usesAny = true;
    if (ace.dst.kind === "any" && ace.dst.families.length === 2) this.config.usesAny = true;
    for (const s of [ace.src, ace.dst]) if ((s.kind === "any" && s.families[0] === 6) || (s.kind === "range" && s.family === 6)) this.config.usesIPv6 = true;
    if (l.raw.includes("(hitcnt=") && /\(hitcnt=[0-9]+\)/.test(l.raw)) this.lastShowAce = ace;
    if (ace.inactive) {
      const s = this.skipped.get(name);
      if (s) s.count++;
      else this.skipped.set(name, { count: 1, line: l.line, column: l.words[0]!.column });
    }
    place(acl(), ace);
  }

  /** The last `show access-list` entry (it carries `(hitcnt=N)`), whose expansions follow indented. */
  private lastShowAce: Ace | undefined;

  /** An indented `access-list` line of `show access-list` output: one expansion of the entry above. */
  private expansion(l: ConfigLine): void {
    const parent = this.lastShowAce;
    if (!parent) return;
    const w = l.words;
    let i = 2;
    if (w[i]?.key === "line" && /^[0-9]+$/.test(w[i + 1]?.text ?? "")) i += 2;
    let ok = w[i]?.key === "extended";
    // read quietly: an expansion that does not parse only means the entry itself is used
    const ace = ok ? readAce(new Cursor(l, i + 1, () => (ok = false)), this.ctx) : undefined;
    if (ace && ok) (parent.expansions ??= []).push(ace);
    else {
      delete parent.expansions;
      this.lastShowAce = undefined;
    }
  }

  private accessGroup(l: ConfigLine): void {
    const w = l.words;
    const acl = w[1]?.text;
    const dir = keyword(w[2], ["global", "in", "out"]);
    if (acl && dir === "global") {
      this.config.accessGroups.push({ acl, direction: "global", pos: this.pos(l) });
      return;
    }
    if (!acl || (dir !== "in" && dir !== "out") || keyword(w[3], ["interface"]) === undefined || !w[4]) {
      this.diag("error", l, w[2] ?? w[1], "expected 'access-group ACL in|out interface NAMEIF' or 'access-group ACL global'");
      return;
    }
    this.config.accessGroups.push({ acl, direction: dir, iface: w[4].text, pos: this.pos(l) });
  }

  /** `(real,mapped)` */
  private ifPair(l: ConfigLine, w: Word | undefined): { realIf?: string; mappedIf?: string } | undefined {
    const m = w ? /^\(([^,()]+),([^,()]+)\)$/.exec(w.text) : null;
    if (!m) {
      this.diag("error", l, w, "expected '(real_ifc,mapped_ifc)'");
      return undefined;
    }
    return { ...(m[1]!.toLowerCase() !== "any" ? { realIf: m[1]! } : {}), ...(m[2]!.toLowerCase() !== "any" ? { mappedIf: m[2]! } : {}) };
  }

  /** `nat (real,mapped) static MAPPED [net-to-net] [dns] [service tcp|udp REAL MAPPED]` inside `object network`. */
  private objectNat(objName: string, l: ConfigLine): void {
    const w = l.words;
    // the interface pair is optional: `nat static MAPPED` applies to any interfaces
    const paired = w[1]?.text.startsWith("(") ?? false;
    const pair = paired ? this.ifPair(l, w[1]) : {};
    if (!pair) return;
    const at = paired ? 2 : 1;
    const type = w[at]?.key;
    if (type !== "static") return; // dynamic NAT/PAT opens nothing towards the inside
    if (!w[at + 1]) {
      this.diag("error", l, undefined, "expected the mapped address after 'static'");
      return;
    }
    const c = this.cursor(l, at + 1);
    const mapped = this.natAddress(c);
    if (!mapped) return;
    const rule: NatRule = { ...pair, sourceReal: { kind: "object", name: objName, pos: this.pos(l, w[0]) }, sourceMapped: mapped, section: 2, pos: this.pos(l) };
    while (!c.done()) {
      const t = c.next()!;
      if (t.key === "service") {
        const p = c.next();
        const protos = p ? asaProtocol(p.text) : undefined;
        const r = c.next();
        const mp = c.next();
        if (!protos || !r || !mp) {
          c.fail(p ?? c.end(), "expected 'service tcp|udp REAL_PORT MAPPED_PORT'");
          return;
        }
        const rp = asaPort(r.text, protos);
        const mpp = asaPort(mp.text, protos);
        if (!rp.ok || !mpp.ok) {
          c.fail(rp.ok ? mp : r, rp.ok ? (mpp as { reason: string }).reason : rp.reason);
          return;
        }
        rule.ports = { protos, real: [rp.port, rp.port], mapped: [mpp.port, mpp.port] };
      } else if (t.key === "inactive") return;
    }
    this.config.nat.push(rule);
  }

  /** A NAT address: object/group name, a literal, or `interface` (the mapped interface's address). */
  private natAddress(c: Cursor): AddrSpec | { kind: "mapped-interface" } | undefined {
    const w = c.next()!;
    if (w.key === "interface") return { kind: "mapped-interface" };
    if (w.key === "any") return { kind: "any", families: [4, 6] };
    const lit = literalAddr(w.text) ?? this.ctx.aliases.get(w.text);
    if (lit) return { kind: "range", family: lit.family, range: { lo: lit.addr, hi: lit.addr } };
    if (this.ctx.groupTypes.has(w.text)) return { kind: "group", name: w.text, pos: c.pos(w) };
    return { kind: "object", name: w.text, pos: c.pos(w) };
  }

  /** Twice NAT: `nat (real,mapped) [after-auto] [line N] source static|dynamic R M [destination static DM DR] [service RS MS] ...`. */
  private twiceNat(l: ConfigLine): void {
    const w = l.words;
    let i = 1;
    let pair: { realIf?: string; mappedIf?: string } = {};
    if (w[1]?.text.startsWith("(")) {
      const p = this.ifPair(l, w[1]);
      if (!p) return;
      pair = p;
      i = 2;
    }
    let section: NatRule["section"] = 1;
    while (w[i] && (w[i]!.key === "after-auto" || w[i]!.key === "after-object" || w[i]!.key === "line" || /^[0-9]+$/.test(w[i]!.text))) {
      if (w[i]!.key === "after-auto" || w[i]!.key === "after-object") section = 3;
      i++;
    }
    if (w[i]?.key !== "source" || (w[i + 1]?.key !== "static" && w[i + 1]?.key !== "dynamic") || !w[i + 2] || !w[i + 3]) {
      this.diag("error", l, w[i], "expected 'source static|dynamic REAL MAPPED'");
      return;
    }
    const isStatic = w[i + 1]!.key === "static";
    const c = this.cursor(l, i + 2);
    const real = this.natAddress(c);
    const mapped = this.natAddress(c);
    if (!real || !mapped || real.kind === "mapped-interface") {
      if (real?.kind === "mapped-interface") this.diag("error", l, w[i + 2], "the real source cannot be 'interface'");
      return;
    }
    const rule: NatRule = { ...pair, sourceReal: real, ...(isStatic ? { sourceMapped: mapped } : {}), section, pos: this.pos(l) };
    let inactive = false;
    while (!c.done()) {
      const t = c.next()!;
      if (t.key === "destination") {
        if (c.key() !== "static" || c.word(2) === undefined) {
          c.fail(c.word() ?? c.end(), "expected 'destination static MAPPED REAL'");
          return;
        }
        c.next();
        const dm = this.natAddress(c);
        const dr = this.natAddress(c);
        if (!dm || !dr || dm.kind === "mapped-interface" || dr.kind === "mapped-interface") {
          // `interface` as a destination: the real interface's address; rare, kept unknown
          rule.destination = { mapped: { kind: "unknown", text: "destination interface" }, real: { kind: "unknown", text: "destination interface" } };
          continue;
        }
        rule.destination = { mapped: dm, real: dr };
      } else if (t.key === "service") {
        const rs = c.next();
        const ms = c.next();
        if (!rs || !ms) {
          c.fail(c.end(), "expected 'service REAL_SERVICE MAPPED_SERVICE'");
          return;
        }
        rule.ports = { kind: "objects", real: rs.text, mapped: ms.text, pos: c.pos(rs) };
      } else if (t.key === "inactive") inactive = true;
      else if (t.key === "description") break;
    }
    if (!inactive) this.config.nat.push(rule);
  }

  /** Pre-8.3 `static (real,mapped) [tcp|udp] MAPPED [MPORT] REAL [RPORT] [netmask M] ...`. */
  private legacyStatic(l: ConfigLine): void {
    const w = l.words;
    const pair = this.ifPair(l, w[1]);
    if (!pair) return;
    let i = 2;
    let protos: number[] | undefined;
    if (w[i]?.key === "tcp" || w[i]?.key === "udp") {
      protos = asaProtocol(w[i]!.text)!;
      i++;
    }
    const addr = (t: Word | undefined) => (t?.key === "interface" ? "interface" : t ? (literalAddr(t.text) ?? this.ctx.aliases.get(t.text)) : undefined);
    const mappedA = addr(w[i]);
    let j = i + 1;
    let mappedPort: number | undefined;
    if (protos) {
      const r = asaPort(w[j]?.text ?? "", protos);
      if (!r.ok) return this.diag("error", l, w[j], `expected the mapped port: ${r.reason}`);
      mappedPort = r.port;
      j++;
    }
    const realA = addr(w[j]);
    if (w[j]?.key === "access-list") return; // policy static: the real side is an ACL, not modelled
    j++;
    let realPort: number | undefined;
    if (protos) {
      const r = asaPort(w[j]?.text ?? "", protos);
      if (!r.ok) return this.diag("error", l, w[j], `expected the real port: ${r.reason}`);
      realPort = r.port;
      j++;
    }
    if (!mappedA || !realA || realA === "interface") return this.diag("error", l, w[i], "expected 'static (real,mapped) [tcp|udp] MAPPED [PORT] REAL [PORT] [netmask MASK]'");
    let len = 32;
    const netmask = w.findIndex((x, k) => k >= j && x.key === "netmask");
    if (netmask >= 0) {
      const n = readNetmask(this.cursor(l, netmask + 1), "netmask", w[netmask + 1]);
      if (n === undefined) return;
      len = n;
    }
    const spec = (a: { family: Family; addr: bigint }): AddrSpec => {
      const host = a.family === 4 ? (1n << BigInt(32 - len)) - 1n : 0n;
      return { kind: "range", family: a.family, range: { lo: a.addr & ~host, hi: (a.addr & ~host) | host } };
    };
    const rule: NatRule = {
      ...pair,
      sourceReal: spec(realA),
      sourceMapped: mappedA === "interface" ? { kind: "mapped-interface" } : spec(mappedA),
      section: 1,
      pos: this.pos(l),
      ...(protos && mappedPort !== undefined && realPort !== undefined ? { ports: { protos, real: [realPort, realPort], mapped: [mappedPort, mappedPort] } } : {}),
    };
    this.config.nat.push(rule);
  }

  /**
   * `icmp permit|deny {any|any4|any6|host A|A MASK} [TYPE] IF`, `ipv6 icmp permit|deny {any|any6|
   * host A|P/LEN} [TYPE] IF` (from word `at`); other `icmp` settings (`icmp unreachable
   * rate-limit`) are skipped.
   */
  private icmpRule(l: ConfigLine, family: Family, at: number): void {
    const w = l.words;
    const action = w[at]?.key;
    if (action !== "permit" && action !== "deny") return;
    const c = this.cursor(l, at + 1);
    const src = readAddress(c, this.ctx);
    if (!src) return;
    const rest: Word[] = [];
    for (let x = c.next(); x; x = c.next()) rest.push(x);
    const iface = rest.pop();
    if (!iface || rest.length > 1) {
      c.fail(iface ?? c.end(), `expected '[ICMP-TYPE] INTERFACE' after the address in '${l.words.map((x) => x.text).join(" ")}'`);
      return;
    }
    let type: number | undefined;
    if (rest[0]) {
      type = asaIcmpType(rest[0].text, family);
      if (type === undefined) return c.fail(rest[0], `expected an ICMP${family === 6 ? "v6" : ""} type name or number, got '${rest[0].text}'`);
    }
    this.config.icmpRules.push({ family, action, src, ...(type !== undefined ? { type } : {}), iface: iface.text, pos: this.pos(l) });
  }

  /**
   * `route IF NETWORK MASK GATEWAY [DISTANCE] [track N]`, `ipv6 route IF PREFIX/LEN GATEWAY
   * [DISTANCE]`; a `tunneled` route (for VPN traffic only) is left out.
   */
  private route(l: ConfigLine, family: Family, at: number): void {
    const w = l.words;
    const usage = family === 4 ? "'route INTERFACE NETWORK MASK GATEWAY [DISTANCE]'" : "'ipv6 route INTERFACE PREFIX/LENGTH GATEWAY [DISTANCE]'";
    const iface = w[at];
    let range: AddrRange | undefined;
    let bad: Word | undefined;
    let next = at + 2;
    if (family === 4) {
      const net = w[at + 1] && literalAddress(w[at + 1]!.text, this.ctx);
      const mask = w[at + 2] ? parseIPv4Strict(w[at + 2]!.text) : null;
      const len = mask === null ? null : maskToPrefix(mask, 4);
      if (net?.family !== 4) bad = w[at + 1];
      else if (len === null) bad = w[at + 2];
      else range = prefixRange(net.addr, len, 4);
      next = at + 3;
    } else {
      const p = w[at + 1] && prefixLiteral(w[at + 1]!.text);
      if (p?.family === 6) range = p.range;
      else bad = w[at + 1];
    }
    // a Null0 route (a blackhole) names no gateway
    const null0 = /^null0$/i.test(iface?.text ?? "");
    if (!iface || !range || (!w[next] && !null0)) {
      this.diag("warning", l, bad ?? iface ?? w[0], `expected ${usage}; the route is left out`);
      return;
    }
    const rest = w.slice(null0 && w[next] && /^[0-9]+$/.test(w[next]!.text) ? next : next + 1);
    if (rest.some((x) => x.key === "tunneled")) return;
    const distance = rest[0] && /^[0-9]+$/.test(rest[0].text) ? Number(rest[0].text) : 1;
    this.config.routes.push({ iface: iface.text, family, range, distance, pos: this.pos(l) });
  }

  private management(l: ConfigLine, service: "ssh" | "telnet" | "http"): void {
    const w = l.words;
    if (service === "http" && w[1]?.key === "server" && w[2]?.key === "enable") {
      this.httpEnabled = this.pos(l);
      if (w[3] && /^[0-9]+$/.test(w[3].text)) this.httpPort = Number(w[3].text);
      return;
    }
    if (service === "ssh" && w[1]?.key === "server" && w[2]?.key === "port" && w[3] && /^[0-9]+$/.test(w[3].text)) {
      this.config.sshPort = Number(w[3].text);
      return;
    }
    // `ssh 10.0.0.0 255.0.0.0 inside`, `ssh 2001:db8::/32 inside`; other forms are settings
    const first = w[1]?.text ?? "";
    if (!(parseIPv4Strict(first) !== null || first.includes(":") || this.ctx.aliases.has(first))) return;
    const c = this.cursor(l, 1);
    let addr: AddrSpec | undefined;
    if (first.includes("/")) addr = readAddress(c, this.ctx);
    else {
      const a = c.next()!;
      addr = addrWithMask(c, this.ctx, a, c.next());
    }
    const iface = c.next();
    if (!addr || !iface) {
      if (addr) c.fail(c.end(), `expected the interface name after the address in '${service}'`);
      return;
    }
    this.config.management.push({ service, addr, iface: iface.text, pos: this.pos(l) });
  }
}

function literalAddr(text: string): { family: Family; addr: bigint } | undefined {
  const v4 = parseIPv4Strict(text);
  if (v4 !== null) return { family: 4, addr: v4 };
  const v6 = text.includes(":") ? parseIPv6(text) : null;
  return v6 !== null ? { family: 6, addr: v6 } : undefined;
}

function groupType(type: string, proto: string | undefined): GroupType | undefined {
  switch (type) {
    case "network":
      return "network";
    case "protocol":
      return "protocol";
    case "icmp-type":
      return "icmp-type";
    case "service":
      return proto === "tcp" || proto === "udp" || proto === "tcp-udp" ? "port" : "service";
    default:
      return undefined;
  }
}

export type { Service };

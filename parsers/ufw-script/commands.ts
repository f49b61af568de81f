/**
 * The `ufw` commands of a script, as ufw 0.36 runs them: each rule command (`ufw allow 22/tcp`,
 * `ufw deny from 203.0.113.0/24`, `ufw limit ssh`, `ufw route allow in on eth1 out on eth0`,
 * `ufw insert 1 deny from ...`, `ufw delete allow 80`) changes ufw's list of user rules for IPv4,
 * IPv6 or both - a rule matching an existing one but for its action replaces it where it stands,
 * an identical one is skipped -, `ufw default deny incoming` a default policy, `ufw reset` empties
 * the rules and restores the default policies, `ufw enable` / `disable` whether ufw loads them.
 *
 * userRules() writes the rules as ufw writes user.rules and user6.rules - the same iptables
 * lines, in the same order (a port without a protocol a tcp and a udp line, `limit` its three
 * lines, `reject` of TCP with a reset, `log` its logging lines) - each line at the place of the
 * command that made the rule, so that parsers/ufw reads them as it reads ufw's own files. The
 * expected files in the tests were written by ufw 0.36.2 running the same commands.
 *
 * What is not followed is told and left out: application profiles (`ufw allow OpenSSH`, defined
 * by the packages of the host), `ufw delete NUM` and `insert` of a rule for both families (both
 * depend on `ufw status numbered` of the host), a service name fwlint does not know.
 */
import type { ArgField } from "../iptables-script/argv.js";
import type { Pos } from "../iptables-script/lexer.js";
import type { Outcome } from "../iptables-script/run.js";
import { SERVICES } from "../../src/model/names.js";
import { formatIPv4, formatIPv6, parseIPv4Strict, parseIPv6 } from "../../src/model/address.js";
import { type Profile, profilesFrom } from "./profiles.js";

export type UfwAction = "allow" | "deny" | "reject" | "limit";
export type UfwPolicy = "ACCEPT" | "DROP" | "REJECT";

/** A user rule as ufw keeps it (its tuple), with the place of the command that made it. */
export interface UfwRule {
  action: UfwAction;
  logtype: "" | "log" | "log-all";
  protocol: string;
  dport: string;
  sport: string;
  dst: string;
  src: string;
  direction: "in" | "out";
  ifaceIn: string;
  ifaceOut: string;
  forward: boolean;
  v6: boolean;
  comment: string;
  /** The application profile it was made from (`ufw allow OpenSSH`): one rule per port spec of it. */
  dapp: string;
  at: Pos;
}

/** Protocols ufw takes, and those it puts in IPv4's rules only. */
const PROTOCOLS = new Set(["tcp", "udp", "ipv6", "esp", "ah", "igmp", "gre", "any"]);
const IPV4_ONLY = new Set(["ipv6", "igmp"]);
const ANY4 = "0.0.0.0/0";
const ANY6 = "::/0";

/** A line of a rules file ufw would write, and the place it stands for. */
export interface UfwLine {
  text: string;
  at?: Pos;
}

export class UfwCommands {
  readonly rules: { 4: UfwRule[]; 6: UfwRule[] } = { 4: [], 6: [] };
  /** The default policies (incoming, outgoing, routed) and where the script set them. */
  readonly policies: Record<"input" | "output" | "forward", { policy: UfwPolicy; at?: Pos }> = { input: { policy: "DROP" }, output: { policy: "ACCEPT" }, forward: { policy: "DROP" } };
  /** Whether ufw is enabled at the end, and where that was said; undefined: the script never says. */
  enabled: { on: boolean; at: Pos } | undefined;
  /** How many ufw commands it took into the model. */
  followed = 0;

  constructor(
    private readonly info: (pos: Pos, message: string) => void,
    private readonly error: (pos: Pos, message: string) => void,
    /** Application profiles by name (profiles.ts): the packages' and the tree's. */
    private readonly profiles: ReadonlyMap<string, Profile> = profilesFrom(new Map()),
  ) {}

  run(args: readonly ArgField[], head: ArgField): Outcome {
    let k = 0;
    let dryRun = false;
    let force = false;
    for (; k < args.length && args[k]!.text.startsWith("-"); k++) {
      const o = args[k]!.text;
      if (o === "--dry-run") dryRun = true;
      else if (o === "--force" || o === "-f") force = true;
      else {
        this.error(args[k]!.pos, `ufw: unknown option ${o}`);
        return "fail";
      }
    }
    const words = args.slice(k);
    const verb = words[0]?.text.toLowerCase();
    if (verb === undefined) {
      this.error(head.pos, "ufw: no command given");
      return "fail";
    }
    if (dryRun) return "ok";
    switch (verb) {
      case "enable":
      case "disable":
        this.enabled = { on: verb === "enable", at: head.pos };
        this.followed++;
        return "ok";
      case "reload":
      case "status":
      case "show":
      case "version":
      case "logging":
      case "app":
        return "ok";
      case "reset":
        this.rules[4] = [];
        this.rules[6] = [];
        this.policies.input = { policy: "DROP", at: head.pos };
        this.policies.output = { policy: "ACCEPT", at: head.pos };
        this.policies.forward = { policy: "DROP", at: head.pos };
        this.enabled = { on: false, at: head.pos };
        this.followed++;
        return "ok";
      case "default":
        return this.defaultPolicy(words.slice(1), head);
      case "delete":
        if (/^\d+$/.test(words[1]?.text ?? "") && words.length === 2) return this.deleteNumbered(Number(words[1]!.text), force, words, head);
        return this.rule(words, head);
      default:
        return this.rule(words, head);
    }
  }

  /**
   * `ufw --force delete N`: the Nth rule as `ufw status numbered` lists them - the IPv4 rules, then
   * the IPv6 ones, an application profile's tuples once - as the commands so far made them (the
   * host taken as having had none before, as everywhere here). Without --force ufw asks on its
   * standard input, which fwlint does not know: told and left out.
   */
  private deleteNumbered(n: number, force: boolean, words: readonly ArgField[], head: ArgField): Outcome {
    const shown = `'ufw delete ${n}'`;
    if (!force) {
      this.info(head.pos, `${shown} skipped: without --force ufw asks "Proceed with operation (y|n)?" on its standard input, which fwlint does not know`);
      return "unknown";
    }
    const listed: UfwRule[] = [];
    const tuples = new Set<string>();
    for (const r of [...this.rules[4], ...this.rules[6]]) {
      if (r.dapp !== "") {
        const key = appTuple(r);
        if (tuples.has(key)) continue;
        tuples.add(key);
      }
      listed.push(r);
    }
    const rule = n >= 1 ? listed[n - 1] : undefined;
    if (!rule) {
      this.error(words[1]!.pos, `ufw: could not find rule '${n}'`);
      return "fail";
    }
    if (rule.dapp !== "") {
      this.info(head.pos, `${shown} skipped: fwlint does not follow deleting an application profile's rules by number`);
      return "unknown";
    }
    const f = rule.v6 ? 6 : 4;
    this.rules[f] = setRule(this.rules[f], rule, true, 0);
    this.followed++;
    return "ok";
  }

  private defaultPolicy(words: readonly ArgField[], head: ArgField): Outcome {
    const policy = words[0]?.text.toLowerCase();
    const direction = (words[1]?.text ?? "incoming").toLowerCase();
    const value: UfwPolicy | undefined = policy === "allow" ? "ACCEPT" : policy === "deny" ? "DROP" : policy === "reject" ? "REJECT" : undefined;
    const key = direction === "incoming" || direction === "input" ? "input" : direction === "outgoing" || direction === "output" ? "output" : direction === "routed" || direction === "forward" ? "forward" : undefined;
    if (value === undefined || key === undefined || words.length > 2) {
      this.error(words[0]?.pos ?? head.pos, "ufw: expected 'default allow|deny|reject [incoming|outgoing|routed]'");
      return "fail";
    }
    this.policies[key] = { policy: value, at: head.pos };
    this.followed++;
    return "ok";
  }

  /** A rule command: parsed as ufw's parser reads it, then set as its backend sets it for each family. */
  private rule(words: readonly ArgField[], head: ArgField): Outcome {
    const r = this.parseRule(words, head);
    if ("why" in r) {
      if (r.error) this.error(r.pos, `ufw: ${r.why}`);
      else this.info(r.pos, `'ufw ${words.map((w) => w.text).join(" ")}' skipped: ${r.why}`);
      return r.error ? "fail" : "unknown";
    }
    const { rule, type, remove, position } = r;
    if (rule.dapp !== "" && position !== 0) {
      this.info(head.pos, `'ufw ${words.map((w) => w.text).join(" ")}' skipped: fwlint does not follow insert and prepend of an application profile's rules`);
      return "unknown";
    }
    const families: (4 | 6)[] = type === "both" ? [4, 6] : type === "v6" ? [6] : [4];
    // positions count the IPv4 rules first, then the IPv6 ones (as `ufw status numbered` lists them)
    const [n4, n6] = [this.rules[4].length, this.rules[6].length];
    const bad = () => {
      this.error(head.pos, `ufw: invalid position '${position}'`);
      return "fail" as const;
    };
    if (position > n4 + n6) return bad();
    if (position !== 0 && type === "both") return this.insertBoth(rule, position, n4, n6) ? "ok" : bad();
    // an application profile: a rule per port spec of it (`80,443/tcp`, `53`), in its order
    const templates: UfwRule[] = [];
    if (rule.dapp === "") templates.push(rule);
    else {
      for (const spec of this.profiles.get(rule.dapp)!.ports) {
        const [port, proto = "any"] = spec.split("/") as [string, string | undefined];
        templates.push({ ...rule, dport: port, protocol: proto });
      }
    }
    for (const f of families) for (const t of templates) {
      // (ufw keeps a list of ports in numeric order: `443,80` is `80,443`)
      const template: UfwRule = { ...t, dport: sortedPorts(t.dport), sport: sortedPorts(t.sport) };
      const one: UfwRule = { ...template, v6: f === 6, src: f === 6 && template.src === ANY4 ? ANY6 : template.src, dst: f === 6 && template.dst === ANY4 ? ANY6 : template.dst };
      const list = this.rules[f];
      let at = position;
      if (position === -1) at = list.length === 0 ? 0 : 1;
      else if (position > 0 && f === 4 && position > n4) return bad();
      else if (position > 0 && f === 6) {
        if (position <= n4) return bad();
        at = position - n4;
      }
      this.rules[f] = setRule(list, one, remove, at);
    }
    this.followed++;
    return "ok";
  }

  /**
   * `ufw insert N RULE` / `ufw prepend RULE` of a rule for both families, as ufw's frontend places
   * it: the IPv4 rule at N (or, N naming an IPv6 rule, before the IPv4 rule that matches it), the
   * IPv6 rule before the one matching the IPv4 rule after the new one - the two lists kept in
   * step. False where ufw refuses the position.
   */
  private insertBoth(rule: UfwRule, position: number, n4: number, n6: number): boolean {
    const t: UfwRule = { ...rule, dport: sortedPorts(rule.dport), sport: sortedPorts(rule.sport) };
    const r4: UfwRule = { ...t, v6: false };
    const r6: UfwRule = { ...t, v6: true, src: t.src === ANY4 ? ANY6 : t.src, dst: t.dst === ANY4 ? ANY6 : t.dst };
    let p4 = position;
    if (position === -1) p4 = n4 === 0 ? 0 : 1;
    else if (position > n4) {
      const p = this.otherPosition(position - n4, 6);
      if (p === undefined) return false;
      p4 = p;
    }
    if (p4 > this.rules[4].length) return false;
    this.rules[4] = setRule(this.rules[4], r4, false, p4);
    const m4 = this.rules[4].length;
    let p6 = position === -1 ? (n6 === 0 ? 0 : 1) : position + 1;
    if (position !== -1 && p6 <= m4) {
      const p = this.otherPosition(p6, 4);
      if (p === undefined) return false;
      p6 = p;
    }
    if (position !== -1 && p6 > m4) p6 -= m4;
    if (p6 > this.rules[6].length) return false;
    this.rules[6] = setRule(this.rules[6], r6, false, p6);
    this.followed++;
    return true;
  }

  /**
   * Where the rule at `position` of one family's list (its application rules counted as ufw counts
   * them, one per profile tuple) stands in the other's: the 1-based place of the rule matching it
   * exactly, 0 when none does, undefined when ufw finds no rule there.
   */
  private otherPosition(position: number, from: 4 | 6): number | undefined {
    const list = this.rules[from];
    if (position < 1 || position > list.length) return undefined;
    const seen = new Set<string>();
    let offset = 0;
    for (const r of list.slice(0, position)) {
      if (r.dapp === "") continue;
      const key = appTuple(r);
      if (seen.has(key)) offset++;
      else seen.add(key);
    }
    const at = list[position - 1 + offset];
    if (!at) return undefined;
    const to = from === 4 ? 6 : 4;
    const other: UfwRule = { ...at, v6: to === 6, src: swapAny(at.src, to), dst: swapAny(at.dst, to) };
    const k = this.rules[to].findIndex((r) => match(r, other) === 0);
    return k + 1;
  }

  /** The rule a command states, its families, and whether it deletes it or where it is inserted (0: appended, -1: prepended). */
  private parseRule(
    words: readonly ArgField[],
    head: ArgField,
  ): { rule: UfwRule; type: "v4" | "v6" | "both"; remove: boolean; position: number } | { why: string; pos: Pos; error?: boolean } {
    const fail = (why: string, at: ArgField | undefined = undefined) => ({ why, pos: (at ?? head).pos, error: true });
    let argv = words.map((w) => w.text);
    let fields = [...words];
    const drop = (k: number, n = 1) => {
      argv = [...argv.slice(0, k), ...argv.slice(k + n)];
      fields = [...fields.slice(0, k), ...fields.slice(k + n)];
    };
    let remove = false;
    let position = 0;
    let forward = false;
    if (argv[0] === "route") {
      forward = true;
      drop(0);
    }
    if (argv[0] === "delete") {
      if (/^\d+$/.test(argv[1] ?? "")) return { why: "ufw delete NUM depends on the numbering `ufw status numbered` shows on the host", pos: head.pos };
      remove = true;
      drop(0);
    } else if (argv[0] === "insert") {
      if (!/^-?\d+$/.test(argv[1] ?? "") || argv.length < 4) return fail("expected 'insert NUM RULE'");
      position = Number(argv[1]);
      if (position === 0 || position === -1) return fail(`cannot insert a rule at position '${argv[1]}'`);
      drop(0, 2);
    } else if (argv[0] === "prepend") {
      position = -1;
      drop(0);
    }
    const action = argv[0]?.toLowerCase();
    if (action !== "allow" && action !== "deny" && action !== "reject" && action !== "limit") return fail(`unknown command '${words[0]?.text ?? ""}'`, words[0]);
    if (argv.length < 2) return fail(`'${action}' needs a port, a service or a rule`, fields[0]);
    // route rules: a second interface clause is set apart and given back after the parse
    let second: { dir: "in" | "out"; name: string } | undefined;
    if (forward) {
      const joined = ` ${argv.join(" ")} `;
      if (joined.includes(" in on ") && joined.includes(" out on ")) {
        const dir = argv.indexOf("in") > argv.indexOf("out") ? "in" : "out";
        const k = argv.indexOf(dir);
        second = { dir, name: argv[k + 2]! };
        drop(k, 3);
      } else if (!/ (in|out) on /.test(joined) && / (in|out) /.test(joined)) return fail("invalid interface clause for route rule");
    }
    let direction: "in" | "out" = "in";
    if (argv[1] === "in" || argv[1] === "out") {
      direction = argv[1];
      if (argv[2] !== "on") drop(1);
    }
    // `in on IF` / `out on IF`: 'on' goes, and `in IF` is read as a clause of the full form
    let hasInterface = false;
    if (argv.includes("in") || argv.includes("out")) {
      if ((argv[1] !== "in" && argv[1] !== "out") || argv[2] !== "on") return fail("invalid interface clause");
      drop(2);
      hasInterface = true;
    }
    let logtype: UfwRule["logtype"] = "";
    const logAt = hasInterface && argv.length > 3 && (argv[3] === "log" || argv[3] === "log-all") ? 3 : argv.length > 2 && (argv[1] === "log" || argv[1] === "log-all") ? 1 : 0;
    if (logAt > 0) {
      logtype = argv[logAt] as "log" | "log-all";
      drop(logAt);
    }
    if (argv.includes("log") || argv.includes("log-all")) return fail("option 'log' not allowed here");
    let comment = "";
    const c = argv.indexOf("comment");
    if (c >= 0) {
      if (c === argv.length - 1) return fail("option 'comment' needs its text");
      comment = argv[c + 1]!;
      drop(c, 2);
    }
    if (argv.length < 2 || argv.length > 13) return fail("wrong number of arguments");
    const rule: UfwRule = { action, logtype, protocol: "any", dport: "any", sport: "any", dst: ANY4, src: ANY4, direction, ifaceIn: "", ifaceOut: "", forward, v6: false, comment, dapp: "", at: head.pos };
    let type: "v4" | "v6" | "both" = "both";
    // a name that is no service of /etc/services is an application profile (ufw's own order)
    const profileNamed = (name: string): { why: string; pos: Pos } | undefined => {
      if (this.profiles.has(name)) {
        rule.dapp = name;
        return undefined;
      }
      return { why: `application profile '${name}' is defined by the host's packages (/etc/ufw/applications.d), which fwlint does not know`, pos: head.pos };
    };
    if (argv.length === 2 && !/^\d/.test(argv[1]!) && !argv[1]!.includes("/") && SERVICES.get(argv[1]!) === undefined) {
      const unknown = profileNamed(argv[1]!);
      if (unknown) return unknown;
    } else if (argv.length === 2) {
      // the short form: PORT[/PROTO] or a service name
      if (argv[1]!.split("/").length > 2) return fail("bad port", fields[1]);
      const [portText, protoText] = argv[1]!.split("/") as [string, string | undefined];
      const port = this.port(portText, fields[1]!);
      if ("why" in port) return port;
      if (protoText !== undefined) {
        if (!PROTOCOLS.has(protoText) || protoText === "any") return fail(`unsupported protocol '${protoText}'`, fields[1]);
        if (port.proto !== "any" && port.proto !== protoText) return fail(`protocol mismatch with ${portText}`, fields[1]);
      }
      rule.protocol = protoText ?? port.proto;
      rule.dport = port.port;
      if (rule.dport.includes(",") || rule.dport.includes(":")) {
        if (rule.protocol !== "tcp" && rule.protocol !== "udp") return fail("must specify 'tcp' or 'udp' with multiple ports", fields[1]);
      }
    } else {
      if ((argv.length + 1) % 2 !== 0) return fail("wrong number of arguments");
      if (!["from", "to", "in", "out"].some((w) => argv.includes(w))) return fail("need 'to' or 'from' clause");
      const count = (w: string) => argv.filter((x) => x === w).length;
      if (count("to") > 1 || count("from") > 1 || count("proto") > 1 || count("port") > 2 || count("in") > 1 || count("out") > 1 || count("app") > 2 || (count("app") > 0 && count("proto") > 0)) return fail("improper rule syntax");
      let fromType: "any" | "v4" | "v6" = "any";
      let toType: "any" | "v4" | "v6" = "any";
      let loc: "src" | "dst" | "" = "";
      let protoGiven: string | undefined;
      const services: { src?: string; dst?: string } = {};
      for (let i = 1; i < argv.length; i += 2) {
        const key = argv[i]!;
        const value = argv[i + 1]!;
        const field = fields[i + 1]!;
        if (key === "in" || key === "out") {
          if (key === "in") rule.ifaceIn = value;
          else rule.ifaceOut = value;
        } else if (key === "proto") {
          if (!PROTOCOLS.has(value)) return fail(`unsupported protocol '${value}'`, field);
          protoGiven = value;
        } else if (key === "from" || key === "to") {
          const a = value.toLowerCase() === "any" ? { text: ANY4, family: "any" as const } : normalizeAddress(value);
          if ("why" in a) return fail(a.why, field);
          if (key === "from") {
            rule.src = a.text;
            fromType = a.family;
          } else {
            rule.dst = a.text;
            toType = a.family;
          }
          loc = key === "from" ? "src" : "dst";
        } else if (key === "app") {
          if (loc === "") return fail("need 'from' or 'to' with 'app'", field);
          if (loc === "src") return { why: "fwlint does not follow a source application profile (from ... app NAME)", pos: head.pos };
          const unknown = profileNamed(value);
          if (unknown) return unknown;
        } else if (key === "port") {
          if (loc === "") return fail("need 'from' or 'to' with 'port'", field);
          const p = this.port(value, field);
          if ("why" in p) return p;
          if (!/^\d([0-9,:]*\d+)*$/.test(value)) services[loc] = p.proto;
          if (loc === "src") rule.sport = p.port;
          else rule.dport = p.port;
        } else return fail(`invalid token '${key}'`, fields[i]);
      }
      if (fromType !== "any" && toType !== "any" && fromType !== toType) return fail("mixed IP versions for 'from' and 'to'");
      type = fromType !== "any" ? fromType : toType !== "any" ? toType : "both";
      // a service name gives its protocol, which must agree with the one given
      let proto = protoGiven ?? "any";
      for (const p of [services.dst, services.src]) {
        if (p === undefined || p === "any") continue;
        // (`proto any` is as if none were given)
        if (protoGiven !== undefined && protoGiven !== "any" && protoGiven !== p) return fail(`protocol mismatch with specified protocol ${protoGiven}`);
        if (proto !== "any" && proto !== p) return fail("protocol mismatch (from/to)");
        proto = p;
      }
      rule.protocol = proto;
      const multi = [rule.dport, rule.sport].some((p) => p.includes(",") || p.includes(":"));
      if (multi && rule.protocol !== "tcp" && rule.protocol !== "udp") return fail("must specify 'tcp' or 'udp' with multiple ports");
      if ((rule.dport !== "any" || rule.sport !== "any") && rule.protocol !== "any" && rule.protocol !== "tcp" && rule.protocol !== "udp") return fail(`improper rule syntax ('${rule.protocol}' specified with port)`);
    }
    if (IPV4_ONLY.has(rule.protocol)) {
      if (type === "v6") return fail(`'${rule.protocol}' is IPv4 only`);
      type = "v4";
    }
    if (second) {
      if (second.dir === "in") rule.ifaceIn = second.name;
      else rule.ifaceOut = second.name;
    }
    return { rule, type, remove, position };
  }

  /** A port, a list or range of them, or a service name (its port, and the protocol it names: tcp, udp or any). */
  private port(text: string, at: ArgField): { port: string; proto: string } | { why: string; pos: Pos; error: true } {
    const bad = (why: string) => ({ why, pos: at.pos, error: true as const });
    if (/^\d/.test(text)) {
      if (!/^\d([0-9,:]*\d+)*$/.test(text)) return bad(`bad port '${text}'`);
      const parts = text.split(",");
      if (parts.length > 15) return bad("too many ports (15 at most)");
      for (const p of parts) {
        const [lo, hi] = p.split(":").map(Number) as [number, number | undefined];
        if (p.split(":").length > 2 || lo < 1 || lo > 65535 || (hi !== undefined && (hi < 1 || hi > 65535 || hi <= lo))) return bad(`bad port '${text}'`);
      }
      return { port: text, proto: "any" };
    }
    if (text.includes(",") || text.includes(":")) return bad("port ranges must be numeric");
    const s = SERVICES.get(text);
    if (!s || (s.tcp === null && s.udp === null)) return bad(`could not find a port for '${text}' (fwlint does not know this service, or it is an application profile of the host)`);
    const port = s.tcp ?? s.udp!;
    const proto = s.tcp !== null && s.udp !== null ? "any" : s.tcp !== null ? "tcp" : "udp";
    return { port: String(port), proto };
  }

  /** The user rules file of a family as ufw writes it (user.rules, user6.rules): its lines, each rule's at its command. */
  userRules(family: 4 | 6): UfwLine[] {
    const p = family === 6 ? "ufw6" : "ufw";
    const out: UfwLine[] = [{ text: "*filter" }];
    for (const c of ["user-input", "user-output", "user-forward", "before-logging-input", "before-logging-output", "before-logging-forward", "user-logging-input", "user-logging-output", "user-logging-forward", "after-logging-input", "after-logging-output", "after-logging-forward", "logging-deny", "logging-allow", "user-limit", "user-limit-accept"]) out.push({ text: `:${p}-${c} - [0:0]` });
    out.push({ text: "### RULES ###" });
    for (const r of this.rules[family]) {
      out.push({ text: "" });
      for (const line of ruleLines(r, p)) out.push({ text: line, at: r.at });
    }
    out.push({ text: "" }, { text: "### END RULES ###" });
    out.push({ text: `-A ${p}-user-limit -m limit --limit 3/minute -j LOG --log-prefix "[UFW LIMIT BLOCK] "` }, { text: `-A ${p}-user-limit -j REJECT` }, { text: `-A ${p}-user-limit-accept -j ACCEPT` }, { text: "COMMIT" });
    return out;
  }
}

/** The list after setting `rule` as ufw's backend does: replaced where only its action differs, skipped when there, inserted at `position` (1-based; 0: at the end), removed with `remove`. */
function setRule(list: readonly UfwRule[], rule: UfwRule, remove: boolean, position: number): UfwRule[] {
  const out: UfwRule[] = [];
  let found = false;
  let inserted = false;
  let matches = 0;
  list.forEach((r, k) => {
    if (position > 0 && k + 1 === position) {
      inserted = true;
      out.push(rule);
    }
    const m = match(r, rule);
    if (m < 1) matches++;
    if (m === 0 && !found && !inserted) {
      found = true;
      // (the same rule again changes nothing: it stays where the first command made it)
      if (!remove) out.push(r);
    } else if (m === -2 && remove && rule.comment === "") found = true;
    else if (m < 0 && !remove && !inserted) {
      found = true;
      out.push(rule);
    } else out.push(r);
  });
  if (inserted) return matches > 0 ? [...list] : out;
  if (!found && !remove) out.push(rule);
  return out;
}

/** A comma-separated list of ports in ufw's order (its human sort: numbers as numbers, text without case). */
function sortedPorts(list: string): string {
  if (!list.includes(",")) return list;
  const key = (p: string) => p.split(/([0-9]+)/).map((c) => (/^[0-9]+$/.test(c) ? Number(c) : c.toLowerCase()));
  const compare = (a: (string | number)[], b: (string | number)[]): number => {
    for (let k = 0; k < Math.min(a.length, b.length); k++) {
      const [x, y] = [a[k]!, b[k]!];
      if (x === y) continue;
      if (typeof x === "number" && typeof y === "number") return x - y;
      return String(x) < String(y) ? -1 : 1;
    }
    return a.length - b.length;
  };
  return list
    .split(",")
    .sort((a, b) => compare(key(a), key(b)))
    .join(",");
}

/** What ufw counts an application profile's rules by (its app tuple): one line of `ufw status numbered` for all its port specs. */
function appTuple(r: UfwRule): string {
  return `${r.dapp} ${r.dst} ${r.sport} ${r.src} ${r.ifaceIn === "" && r.ifaceOut === "" ? r.direction : `${r.ifaceIn}/${r.ifaceOut}`}`;
}

/** An address as the rule of the other family has it: `any` is 0.0.0.0/0 or ::/0. */
function swapAny(address: string, family: 4 | 6): string {
  return address === ANY4 || address === ANY6 ? (family === 6 ? ANY6 : ANY4) : address;
}

/** 0: the same rule; -2: but its comment; -1: but its action, logging or comment; 1: another rule. */
function match(x: UfwRule, y: UfwRule): number {
  const keys = ["dport", "sport", "protocol", "src", "dst", "v6", "dapp", "ifaceIn", "ifaceOut", "direction", "forward"] as const;
  if (keys.some((k) => x[k] !== y[k])) return 1;
  if (x.action === y.action && x.logtype === y.logtype) return x.comment === y.comment ? 0 : -2;
  return -1;
}

/** An address or network as ufw normalises it (a host without its /32 or /128, a network at its first address), and its family. */
function normalizeAddress(text: string): { text: string; family: "v4" | "v6" } | { why: string } {
  const [addr, len] = text.split("/") as [string, string | undefined];
  if (text.split("/").length > 2) return { why: `bad address '${text}'` };
  const v4 = parseIPv4Strict(addr);
  if (v4 !== null) {
    let bits = 32;
    if (len !== undefined) {
      const mask = parseIPv4Strict(len);
      if (/^\d+$/.test(len)) bits = Number(len);
      else if (mask !== null) {
        const b = mask.toString(2).padStart(32, "0");
        if (!/^1*0*$/.test(b)) return { why: `bad netmask '${len}'` };
        bits = b.indexOf("0") < 0 ? 32 : b.indexOf("0");
      } else return { why: `bad address '${text}'` };
      if (bits > 32) return { why: `bad address '${text}'` };
    }
    const net = bits === 0 ? 0n : (v4 >> BigInt(32 - bits)) << BigInt(32 - bits);
    return { text: bits === 32 ? formatIPv4(v4) : `${formatIPv4(net)}/${bits}`, family: "v4" };
  }
  const v6 = parseIPv6(addr);
  if (v6 !== null) {
    const bits = len === undefined ? 128 : /^\d+$/.test(len) ? Number(len) : NaN;
    if (!(bits >= 0 && bits <= 128)) return { why: `bad address '${text}'` };
    const net = bits === 0 ? 0n : (v6 >> BigInt(128 - bits)) << BigInt(128 - bits);
    return { text: bits === 128 ? formatIPv6(v6) : `${formatIPv6(net)}/${bits}`, family: "v6" };
  }
  return { why: `bad address '${text}' (a host name is not taken)` };
}

/** ufw's iptables text for a rule (format_rule), then its lines: tcp and udp for a port of any protocol, logging, limit. */
function ruleLines(r: UfwRule, p: string): string[] {
  const multi = [r.dport, r.sport].some((x) => x.includes(",") || x.includes(":"));
  let s = "";
  if (r.ifaceIn !== "") s += ` -i ${r.ifaceIn}`;
  if (r.ifaceOut !== "") s += ` -o ${r.ifaceOut}`;
  if (r.protocol === "any") s += " -p all";
  else {
    s += ` -p ${r.protocol}`;
    if (multi) {
      s += " -m multiport";
      if (r.dport !== "any" && r.sport !== "any") s += ` --dports ${r.dport} -m multiport --sports ${r.sport}`;
      else if (r.dport !== "any") s += ` --dports ${r.dport}`;
      else if (r.sport !== "any") s += ` --sports ${r.sport}`;
    }
  }
  if (r.dst !== ANY4 && r.dst !== ANY6) s += ` -d ${r.dst}`;
  if (!multi && r.dport !== "any") s += ` --dport ${r.dport}`;
  if (r.src !== ANY4 && r.src !== ANY6) s += ` -s ${r.src}`;
  if (!multi && r.sport !== "any") s += ` --sport ${r.sport}`;
  const log = r.logtype === "" ? "" : `_${r.logtype}`;
  if (r.action === "allow") s += ` -j ACCEPT${log}`;
  else if (r.action === "reject") s += ` -j REJECT${log}${r.protocol === "tcp" ? " --reject-with tcp-reset" : ""}`;
  else if (r.action === "limit") s += ` -j LIMIT${log}`;
  else s += ` -j DROP${log}`;
  if (r.dapp !== "") s += ` -m comment --comment 'dapp_${r.dapp.replace(/ /g, "%20")}'`;
  const chain = `${p}-user-${r.forward ? "forward" : r.direction === "out" ? "output" : "input"}`;
  const frule = `-A ${chain} ${s.trim()}`;
  // a port with protocol any: a tcp line (a reject with a reset) and a udp line; no port: no -p
  let snippets: string[];
  if (frule.includes("-p all ")) {
    if (/port /.test(frule)) {
      const tcp = frule.replace("-p all ", "-p tcp ").replace(/-j (REJECT(_log(-all)?)?)/, "-j $1 --reject-with tcp-reset");
      snippets = [/-j REJECT/.test(frule) ? tcp : frule.replace("-p all ", "-p tcp "), frule.replace("-p all ", "-p udp ")];
    } else snippets = [frule.replace("-p all ", "")];
  } else snippets = [frule];
  // logging: a rule of the user-logging chain logs (new connections, or every packet with log-all) and returns, then the rule jumps to it
  const out: string[] = [];
  const suffix = r.forward ? "forward" : r.direction === "out" ? "output" : "input";
  for (const sn of snippets) {
    const m = /^(.*)-j ([A-Z]+)_(log(?:-all)?)(.*)$/.exec(sn);
    if (!m) {
      out.push(sn);
      continue;
    }
    const [, before, target, type, after] = m as unknown as [string, string, string, string, string];
    const policy = target === "ACCEPT" ? "ALLOW" : target === "LIMIT" ? "LIMIT" : "BLOCK";
    const lstr = `${type === "log-all" ? "" : "-m conntrack --ctstate NEW "}-m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW ${policy}] "`;
    const inLogging = (x: string) => x.replace(/^(-A|-D) ([a-zA-Z0-9-]+)/, `$1 ${p}-user-logging-${suffix}`);
    // (what follows the target - a reject's --reject-with - stays on the rule's own line only, as ufw writes it)
    out.push(inLogging(`${before}${lstr}`), inLogging(`${before}-j RETURN`), `${before}-j ${p}-user-logging-${suffix}`, `${before}-j ${target}${after}`);
  }
  // limit: the connection is recorded, a sixth new one in 30 seconds goes to the limit chain, the rest accepted
  return out.flatMap((x) =>
    / -j LIMIT/.test(x) ? [x.replace(" -j LIMIT", " -m conntrack --ctstate NEW -m recent --set"), x.replace(" -j LIMIT", ` -m conntrack --ctstate NEW -m recent --update --seconds 30 --hitcount 6 -j ${p}-user-limit`), x.replace(" -j LIMIT", ` -j ${p}-user-limit-accept`)] : [x],
  );
}

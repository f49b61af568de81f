/**
 * nftables text (`nft list ruleset` output and hand-written files) -> the common model.
 *
 * Tokens (lexer.ts) go through a define-expansion pass, then a recursive-descent reader of
 * tables, chains and rules. Every problem is a diagnostic with file:line:column; nothing throws.
 */
import { parseAddrRange, parseAddrSpec } from "../../src/model/address.js";
import { protocolNumber, servicePort } from "../../src/model/names.js";
import type { Action, Chain, Condition, CtState, Diagnostic, DiagnosticSeverity, Family, PortRange, Rule, SourceSpan } from "../../src/model/types.js";
import { lex, type Tok } from "./lexer.js";
import { ICMP_NFT, ICMPV6_NFT } from "./icmp.js";

export type Hook = "prerouting" | "input" | "forward" | "output" | "postrouting";
export type NftFamily = "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";
const FAMILIES: ReadonlySet<string> = new Set(["ip", "ip6", "inet", "arp", "bridge", "netdev"]);
const HOOKS: ReadonlySet<string> = new Set(["prerouting", "input", "forward", "output", "postrouting", "ingress", "egress"]);

export interface BaseSpec {
  type: string;
  hook: string;
  priority: number;
}

export interface ParsedChain {
  chain: Chain;
  base?: BaseSpec;
  order: number;
}

export interface ParsedTable {
  family: NftFamily;
  name: string;
  span: SourceSpan;
  chains: ParsedChain[];
  /** Named sets: constant elements, or null when not modelled. */
  sets: Map<string, SetItem[] | null>;
  /** Named verdict maps: element tokens, or null when not modelled. */
  vmaps: Map<string, Tok[] | null>;
}

export interface SetItem {
  text: string;
  tok: Tok;
}

const NAMED_PRIORITIES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const BRIDGE_PRIORITIES: Record<string, number> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };

const START = new Set([
  "ip", "ip6", "meta", "tcp", "udp", "th", "sctp", "dccp", "udplite", "iif", "iifname", "oif", "oifname", "ct", "icmp", "icmpv6",
  "fib", "counter", "log", "comment", "accept", "drop", "reject", "return", "jump", "goto", "continue", "queue", "dnat", "snat",
  "masquerade", "redirect", "limit", "notrack",
]);
const PORT_PROTO: Record<string, number | undefined> = { tcp: 6, udp: 17, sctp: 132, dccp: 33, udplite: 136, th: undefined };
/** Tokens after which a statement keyword is part of the same expression (`ip saddr . tcp dport`). */
const JOINERS: ReadonlySet<string> = new Set([".", "map", "vmap", "&", "|", "^", "==", "!=", "<", ">", "<=", ">=", ":", "to", "set"]);
const CT: ReadonlySet<string> = new Set(["new", "established", "related", "invalid", "untracked"]);
const TCP_FLAGS: Record<string, number> = { fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ecn: 64, cwr: 128 };

/** A form this slice does not read (maps, verdict maps, concatenations): kept as an unknown statement. */
class Bail {}

class Fail {
  constructor(readonly tok: Tok, readonly message: string) {}
}

function found(t: Tok): string {
  if (t.kind === "eof") return "end of file";
  if (t.kind === "nl") return "end of line";
  return t.kind === "string" ? `'"${t.text}"'` : `'${t.text}'`;
}

export class NftReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly tables: ParsedTable[] = [];
  ruleCount = 0;
  private toks: Tok[] = [];
  private i = 0;
  private order = 0;
  private readonly lines: string[];

  constructor(private readonly text: string, private readonly file: string) {
    this.lines = text.split("\n");
  }

  diag(severity: DiagnosticSeverity, t: { line: number; column: number }, message: string): void {
    this.diagnostics.push({ severity, message, file: this.file, line: t.line, column: t.column });
  }

  private span(t: Tok): SourceSpan {
    return { file: this.file, line: t.line, column: t.column, text: (this.lines[t.line - 1] ?? "").replace(/\r$/, "") };
  }

  read(): void {
    this.toks = this.expand(lex(this.text));
    this.toks.forEach((t, k) => {
      const next = this.toks[k + 1];
      if ((t.text === "add" || t.text === "update" || t.text === "delete") && next?.text.startsWith("@")) this.dynamicSets.add(next.text.slice(1));
    });
    this.i = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") break;
      if (t.kind === "nl" || t.text === ";") {
        this.i++;
        continue;
      }
      if (t.kind === "word" && t.text === "table") {
        this.i++;
        this.table(t);
        continue;
      }
      if (t.kind === "word" && t.text === "flush" && this.peek(1).text === "ruleset") {
        // Everything declared so far is gone: only what follows is loaded.
        this.tables.length = 0;
        this.statement();
        continue;
      }
      if (t.kind === "word" && ["flush", "add", "create", "insert", "delete", "destroy", "list", "reset", "replace", "rename", "include"].includes(t.text)) {
        this.diag("warning", t, `'${t.text}' commands are not supported yet by fwlint's nftables reader; the statement is skipped`);
        this.statement();
        continue;
      }
      this.diag("error", t, `expected 'table', 'define' or 'include', found ${found(t)}`);
      if (this.statement().length === 0) this.i++;
    }
  }

  private peek(k = 0): Tok {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }

  /** Consume one statement: tokens up to a newline or `;` outside braces, stopping before an unmatched `}`. */
  private statement(): Tok[] {
    const out: Tok[] = [];
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") break;
      if (depth === 0 && (t.kind === "nl" || t.text === ";")) {
        this.i++;
        break;
      }
      if (t.kind === "punct" && t.text === "}") {
        if (depth === 0) break;
        depth--;
      } else if (t.kind === "punct" && t.text === "{") depth++;
      if (t.kind !== "nl") out.push(t);
      this.i++;
    }
    return out;
  }

  /** `define NAME = value` lines are removed; `$NAME` words are replaced by the value's tokens. */
  private expand(toks: Tok[]): Tok[] {
    const defines = new Map<string, Tok[]>();
    const out: Tok[] = [];
    let lineStart = true;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (lineStart && t.kind === "word" && (t.text === "define" || t.text === "redefine") && toks[i + 1]?.kind === "word") {
        const name = toks[i + 1]!;
        if (toks[i + 2]?.text !== "=") {
          this.diag("error", toks[i + 2] ?? name, `expected '=' after 'define ${name.text}', found ${found(toks[i + 2] ?? name)}`);
        }
        let j = toks[i + 2]?.text === "=" ? i + 3 : i + 2;
        const value: Tok[] = [];
        let depth = 0;
        for (; j < toks.length; j++) {
          const v = toks[j]!;
          if (v.kind === "eof" || (depth === 0 && (v.kind === "nl" || v.text === ";"))) break;
          if (v.text === "{" && v.kind === "punct") depth++;
          if (v.text === "}" && v.kind === "punct") depth--;
          if (v.kind === "nl") continue;
          if (v.kind === "word" && v.text.startsWith("$")) {
            const d = defines.get(v.text.slice(1));
            if (d) value.push(...d);
            else {
              this.diag("error", v, `undefined variable '${v.text}'`);
              value.push(v);
            }
          } else value.push(v);
        }
        if (value.length === 0) this.diag("error", name, `expected a value after 'define ${name.text} ='`);
        defines.set(name.text, value);
        i = j - 1;
        continue;
      }
      if (lineStart && t.kind === "word" && t.text === "undefine" && toks[i + 1]?.kind === "word") {
        defines.delete(toks[i + 1]!.text);
        i++;
        continue;
      }
      lineStart = t.kind === "nl" || t.text === ";" || t.text === "{";
      if (t.kind === "word" && t.text.startsWith("$")) {
        const d = defines.get(t.text.slice(1));
        if (!d) {
          this.diag("error", t, `undefined variable '${t.text}'`);
          out.push(t);
        } else out.push(...d.map((v) => ({ ...v, line: t.line, column: t.column })));
        continue;
      }
      out.push(t);
    }
    return out;
  }

  private expectOpen(what: string): boolean {
    const t = this.peek();
    if (t.kind === "punct" && t.text === "{") {
      this.i++;
      return true;
    }
    this.diag("error", t, `expected '{' after ${what}, found ${found(t)}`);
    this.statement();
    return false;
  }

  /** Skip a `{ ... }` block (the opening brace is next). */
  private skipBlock(): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") return;
      this.i++;
      if (t.kind === "punct" && t.text === "{") depth++;
      else if (t.kind === "punct" && t.text === "}") {
        depth--;
        if (depth <= 0) return;
      }
    }
  }

  private table(kw: Tok): void {
    let fam = this.peek();
    let family: NftFamily = "ip";
    if (fam.kind === "word" && FAMILIES.has(fam.text) && this.peek(1).kind === "word") {
      family = fam.text as NftFamily;
      this.i++;
    }
    fam = this.peek();
    if (fam.kind !== "word" && fam.kind !== "string") {
      this.diag("error", fam, `expected a table name after 'table', found ${found(fam)}`);
      this.statement();
      return;
    }
    this.i++;
    const table: ParsedTable = { family, name: fam.text, span: this.span(kw), chains: [], sets: new Map(), vmaps: new Map() };
    const nx = this.peek();
    if (nx.kind === "nl" || nx.kind === "eof" || nx.text === ";") {
      // `table inet x` on its own declares the table (like `add table`).
      this.tables.push(table);
      return;
    }
    if (!this.expectOpen(`'table ${family} ${fam.text}'`)) return;
    if (family === "arp" || family === "bridge" || family === "netdev") {
      this.diag("info", kw, `table ${family} ${fam.text}: ${family} tables are parsed but not analysed`);
    }
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") {
        this.diag("error", t, `expected '}' to close 'table ${family} ${table.name}' (opened at line ${kw.line})`);
        break;
      }
      if (t.kind === "nl" || t.text === ";") {
        this.i++;
        continue;
      }
      if (t.kind === "punct" && t.text === "}") {
        this.i++;
        break;
      }
      if (t.kind === "word" && t.text === "chain") {
        this.i++;
        this.chain(table, t);
        continue;
      }
      if (t.kind === "word" && t.text === "include") {
        this.diag("warning", t, "'include' is not supported yet by fwlint's nftables reader; the included file is not read");
        this.statement();
        continue;
      }
      if (t.kind === "word" && (t.text === "flags" || t.text === "comment")) {
        this.statement();
        continue;
      }
      if (t.kind === "word" && t.text === "set" && (this.peek(1).kind === "word" || this.peek(1).kind === "string") && this.peek(2).text === "{") {
        this.namedSet(table, t);
        continue;
      }
      if (t.kind === "word" && t.text === "map" && (this.peek(1).kind === "word" || this.peek(1).kind === "string") && this.peek(2).text === "{" && this.namedVmap(table, t)) continue;
      if (t.kind === "word" && ["set", "map", "flowtable", "counter", "quota", "limit", "ct", "secmark", "synproxy", "tunnel"].includes(t.text)) {
        this.diag("warning", t, `${t.text} objects are not supported yet by fwlint's nftables reader; '${t.text} ${this.peek(1).text}' is skipped`);
        while (this.peek().kind !== "eof" && !(this.peek().kind === "punct" && this.peek().text === "{") && this.peek().kind !== "nl") this.i++;
        if (this.peek().text === "{") this.skipBlock();
        continue;
      }
      this.diag("error", t, `expected 'chain', 'set', 'map', 'flags' or '}' in table ${family} ${table.name}, found ${found(t)}`);
      this.statement();
      if (this.peek().text === "{") this.skipBlock();
    }
    this.tables.push(table);
  }

  /** Named sets whose contents rules change at run time (`add @s ...`, `update @s ...`). */
  private readonly dynamicSets = new Set<string>();
  /** The named sets of the table being read: constant elements, or null when not modelled. */
  currentSets = new Map<string, SetItem[] | null>();

  /** `set NAME { type ...; flags ...; elements = { ... } }`: constant single-key sets are kept for `@NAME`. */
  private namedSet(table: ParsedTable, kw: Tok): void {
    const name = this.peek(1).text;
    this.i += 2;
    const start = this.i;
    this.skipBlock();
    const body = this.toks.slice(start + 1, this.i - 1).filter((t) => t.kind !== "nl");
    const words = new Set(body.map((t) => t.text));
    let why: string | undefined;
    if (this.dynamicSets.has(name)) why = "rules add elements to it at run time";
    else if (words.has("dynamic") || words.has("timeout")) why = "its contents change at run time";
    else if (words.has(".") || words.has("typeof")) why = "concatenated or typeof keys are not supported yet";
    let items: SetItem[] | null = [];
    const e = body.findIndex((t) => t.text === "elements");
    if (why === undefined && e >= 0) {
      if (body[e + 1]?.text !== "=" || body[e + 2]?.text !== "{") why = "its elements could not be read";
      else {
        let group: Tok[] = [];
        const flush = () => {
          if (group.length === 1 && (group[0]!.kind === "word" || group[0]!.kind === "string")) items!.push({ text: group[0]!.text, tok: group[0]! });
          else if (group.length === 3 && group[1]!.text === "-") items!.push({ text: `${group[0]!.text}-${group[2]!.text}`, tok: group[0]! });
          else if (group.length > 0) why = "an element has options or a form not supported yet";
          group = [];
        };
        let k = e + 3;
        for (; k < body.length && body[k]!.text !== "}"; k++) {
          if (body[k]!.text === ",") flush();
          else group.push(body[k]!);
        }
        flush();
      }
    }
    if (why !== undefined) {
      items = null;
      this.diag("warning", kw, `set ${name}: ${why}; matches on @${name} are not modelled`);
    }
    table.sets.set(name, items);
  }

  /** Verdict maps of the table being read: the element tokens between `elements = {` and `}`, or null. */
  currentVmaps = new Map<string, Tok[] | null>();

  /** `map NAME { type K : verdict; elements = { k : verdict, ... } }`; false (nothing consumed) for other maps. */
  private namedVmap(table: ParsedTable, kw: Tok): boolean {
    const save = this.i;
    const name = this.peek(1).text;
    this.i += 2;
    const start = this.i;
    this.skipBlock();
    const body = this.toks.slice(start + 1, this.i - 1).filter((t) => t.kind !== "nl");
    const ty = body.findIndex((t) => t.text === "type");
    if (ty < 0 || body[ty + 2]?.text !== ":" || body[ty + 3]?.text !== "verdict") {
      this.i = save;
      return false;
    }
    const words = new Set(body.map((t) => t.text));
    let why: string | undefined;
    if (this.dynamicSets.has(name) || words.has("dynamic") || words.has("timeout")) why = "its contents change at run time";
    else if (words.has(".")) why = "concatenated keys are not supported yet";
    let elements: Tok[] = [];
    const e = body.findIndex((t) => t.text === "elements");
    if (why === undefined && e >= 0) {
      if (body[e + 1]?.text !== "=" || body[e + 2]?.text !== "{") why = "its elements could not be read";
      else {
        let depth = 0;
        let k = e + 3;
        for (; k < body.length; k++) {
          if (body[k]!.text === "{") depth++;
          else if (body[k]!.text === "}" && depth-- === 0) break;
        }
        elements = body.slice(e + 3, k);
      }
    }
    if (why !== undefined) this.diag("warning", kw, `map ${name}: ${why}; rules using @${name} are not modelled`);
    table.vmaps.set(name, why === undefined ? elements : null);
    return true;
  }

  private chain(table: ParsedTable, kw: Tok): void {
    this.currentSets = table.sets;
    this.currentVmaps = table.vmaps;
    const name = this.peek();
    if (name.kind !== "word" && name.kind !== "string") {
      this.diag("error", name, `expected a chain name after 'chain', found ${found(name)}`);
      this.statement();
      return;
    }
    this.i++;
    const tkey = `${table.family} ${table.name}`;
    const chain: Chain = { name: name.text, table: tkey, rules: [], span: this.span(kw) };
    const pc: ParsedChain = { chain, order: this.order++ };
    if (!this.expectOpen(`'chain ${name.text}'`)) return;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") {
        this.diag("error", t, `expected '}' to close 'chain ${name.text}' (opened at line ${kw.line})`);
        break;
      }
      if (t.kind === "punct" && t.text === "}") {
        this.i++;
        break;
      }
      const st = this.statement();
      if (st.length === 0) continue;
      const first = st[0]!;
      if (first.kind === "word" && first.text === "type") this.baseSpec(st, pc);
      else if (first.kind === "word" && first.text === "policy") {
        const p = st[1];
        if (!p || (p.text !== "accept" && p.text !== "drop") || st.length > 2) {
          this.diag("error", p ?? first, `expected 'accept' or 'drop' after 'policy', found ${p ? found(p) : "end of statement"}`);
        } else {
          chain.policy = p.text as "accept" | "drop";
          chain.policySpan = this.span(first);
        }
      } else if (first.kind === "word" && (first.text === "comment" || first.text === "devices" || first.text === "device") && st.length <= 2 + (st[1]?.text === "=" ? 1 : 0) + (st.some((x) => x.text === "{") ? 99 : 0)) {
        continue;
      } else {
        chain.rules.push(...this.rule(st, chain));
      }
    }
    if (pc.base && chain.policy === undefined) chain.policy = "accept";
    table.chains.push(pc);
  }

  private baseSpec(st: Tok[], pc: ParsedChain): void {
    let type: string | undefined;
    let hook: string | undefined;
    let priority: number | undefined;
    let j = 0;
    const fail = (t: Tok | undefined, msg: string) => this.diag("error", t ?? st[st.length - 1]!, `${msg}, found ${t ? found(t) : "end of statement"}`);
    while (j < st.length) {
      const t = st[j]!;
      if (t.text === "type") {
        type = st[j + 1]?.text;
        if (!type || !["filter", "nat", "route"].includes(type)) return fail(st[j + 1], "expected 'filter', 'nat' or 'route' after 'type'");
        j += 2;
      } else if (t.text === "hook") {
        hook = st[j + 1]?.text;
        if (!hook || !HOOKS.has(hook)) return fail(st[j + 1], "expected a hook (prerouting, input, forward, output, postrouting) after 'hook'");
        j += 2;
      } else if (t.text === "device") j += 2;
      else if (t.text === "devices") {
        while (j < st.length && st[j]!.text !== "}" && st[j]!.text !== "priority") j++;
        if (st[j]?.text === "}") j++;
      } else if (t.text === "priority") {
        const r = this.priority(st, j + 1, pc);
        if (r === null) return;
        priority = r.value;
        j = r.end;
      } else if (t.text === "policy") {
        const p = st[j + 1];
        if (p?.text !== "accept" && p?.text !== "drop") return fail(p, "expected 'accept' or 'drop' after 'policy'");
        pc.chain.policy = p.text;
        pc.chain.policySpan = this.span(t);
        j += 2;
      } else return fail(t, "expected 'hook', 'priority', 'device' or 'policy' in the base chain declaration");
    }
    if (type === undefined || hook === undefined) return fail(undefined, "expected 'type <type> hook <hook> priority <priority>'");
    if (priority === undefined) return this.diag("error", st[0]!, "expected 'priority <number or name>' in the base chain declaration");
    pc.base = { type, hook, priority };
  }

  private priority(st: Tok[], j: number, pc: ParsedChain): { value: number; end: number } | null {
    const t = st[j];
    const bad = () => {
      this.diag("error", t ?? st[j - 1]!, `expected a priority (a number or raw, mangle, dstnat, filter, security, srcnat with an optional +/- offset) after 'priority', found ${t ? found(t) : "end of statement"}`);
      return null;
    };
    if (!t || t.kind !== "word") return bad();
    const num = (s: string): number | null => (/^-?[0-9]{1,6}$/.test(s) ? Number(s) : null);
    const n = num(t.text);
    if (n !== null) return { value: n, end: j + 1 };
    const bridge = pc.chain.table.startsWith("bridge ");
    const m = t.text.indexOf("-");
    const name = m > 0 ? t.text.slice(0, m) : t.text;
    const base = (bridge ? BRIDGE_PRIORITIES : NAMED_PRIORITIES)[name];
    if (base === undefined) return bad();
    if (m > 0) {
      const off = num(t.text.slice(m + 1));
      return off === null ? bad() : { value: base - off, end: j + 1 };
    }
    const sign = st[j + 1];
    if (sign && (sign.text === "+" || sign.text === "-")) {
      const off = st[j + 2] ? num(st[j + 2]!.text) : null;
      if (off === null) {
        this.diag("error", st[j + 2] ?? sign, `expected a number after '${name} ${sign.text}', found ${st[j + 2] ? found(st[j + 2]!) : "end of statement"}`);
        return null;
      }
      return { value: sign.text === "+" ? base + off : base - off, end: j + 3 };
    }
    if (sign && /^-[0-9]{1,6}$/.test(sign.text)) return { value: base + Number(sign.text), end: j + 2 };
    return { value: base, end: j + 1 };
  }

  private rule(st: Tok[], chain: Chain): Rule[] {
    this.ruleCount++;
    try {
      const span = this.span(st[0]!);
      const reader = new RuleReader(st, this, chain);
      const rule = reader.read(span, `${chain.table}/${chain.name}#${chain.rules.length + 1}`);
      if (!reader.vmap) return [rule];
      // `key vmap { k1 : v1, k2 : v2 }`: one rule per element, in order (the keys are disjoint).
      return reader.vmap.map((e, i) => ({
        ...rule,
        id: `${chain.table}/${chain.name}#${chain.rules.length + 1 + i}`,
        conditions: [...rule.conditions, ...e.conditions],
        action: e.action,
      }));
    } catch (e) {
      if (e instanceof Fail) {
        // An undefined `$NAME` was already reported where it was expanded.
        if (!e.tok.text.startsWith("$")) this.diag("error", e.tok, e.message);
        return [];
      }
      throw e;
    }
  }
}

interface Value {
  op: string;
  /** Element tokens; a range `a - b` is joined into one text. */
  items: { text: string; tok: Tok }[];
  set: boolean;
  named?: string;
}

const VMAP_KEYS = new Set(["ip", "ip6", "meta", "tcp", "udp", "th", "sctp", "dccp", "udplite", "iif", "iifname", "oif", "oifname", "ct", "icmp", "icmpv6"]);
const VMAP_VERDICTS = new Set(["accept", "drop", "return", "continue", "jump", "goto"]);

class RuleReader {
  /** Set when the rule ends in a verdict map this slice could split into one rule per element. */
  vmap: { conditions: Condition[]; action: Action }[] | undefined;
  private j = 0;
  private conds: Condition[] = [];
  private action: Action | undefined;
  private nonTerminal: string | undefined;
  private comment: string | undefined;

  constructor(private st: Tok[], private readonly r: NftReader, private readonly chain: Chain) {}

  private peek(k = 0): Tok | undefined {
    return this.st[this.j + k];
  }
  private end(): Tok {
    const last = this.st[this.st.length - 1]!;
    return { kind: "nl", text: "", line: last.line, column: last.column + last.text.length };
  }
  private next(): Tok | undefined {
    return this.st[this.j++];
  }

  read(span: SourceSpan, id: string): Rule {
    while (this.j < this.st.length) this.stmt();
    const action: Action = this.action ?? { kind: "continue", target: this.nonTerminal ?? "none" };
    const rule: Rule = { id, conditions: this.conds, action, span };
    if (this.comment !== undefined) rule.comment = this.comment;
    return rule;
  }

  /** Text from token `from` up to (not including) the next statement keyword outside braces. */
  private unknown(from: number, reason: string): void {
    let depth = 0;
    this.j = from + 1;
    while (this.j < this.st.length) {
      const t = this.st[this.j]!;
      if (t.kind === "punct" && t.text === "{") depth++;
      else if (t.kind === "punct" && t.text === "}") depth--;
      else if (depth <= 0 && t.kind === "word" && START.has(t.text) && !JOINERS.has(this.st[this.j - 1]!.text)) break;
      this.j++;
    }
    const toks = this.st.slice(from, this.j);
    const text = toks.map((t) => (t.kind === "string" ? `"${t.text}"` : t.text)).join(" ");
    // `meta mark set 1`, `ct mark set ...`: a non-terminating statement, not a match.
    if ((toks[1]?.text === "set" || toks[2]?.text === "set") && !toks.some((t) => t.text === "vmap")) {
      this.nonTerminal ??= text;
      return;
    }
    if (this.action === undefined) this.conds.push({ kind: "unknown", text, reason });
    if (toks.some((t) => t.kind === "word" && t.text === "vmap")) this.verdict({ kind: "unknown", target: "vmap" });
  }

  /** `key vmap { value : verdict, ... }` with a modelled key and plain verdicts; false when not that form. */
  private tryVmap(): boolean {
    let st = this.st;
    const k = st[this.j + 1]?.text === "vmap" ? 1 : st[this.j + 2]?.text === "vmap" ? 2 : 0;
    const ref = st[this.j + k + 1];
    if (k > 0 && ref?.text.startsWith("@")) {
      // A named verdict map: read its elements as if they were written here.
      const elements = this.r.currentVmaps.get(ref.text.slice(1));
      if (!elements) return false;
      const brace = (text: string): Tok => ({ kind: "punct", text, line: ref.line, column: ref.column });
      st = this.st = [...st.slice(0, this.j + k + 1), brace("{"), ...elements, brace("}"), ...st.slice(this.j + k + 2)];
    }
    if (k === 0 || !VMAP_KEYS.has(st[this.j]!.text) || st[this.j + k + 1]?.text !== "{" || this.action !== undefined) return false;
    const key = st.slice(this.j, this.j + k);
    let p = this.j + k + 2;
    const elements: { conditions: Condition[]; action: Action }[] = [];
    for (;;) {
      const t = st[p];
      if (!t) return false;
      if (t.text === "}") break;
      if (t.text === ",") {
        p++;
        continue;
      }
      const colon = st.findIndex((x, i) => i >= p && (x.text === ":" || x.text === "," || x.text === "}"));
      if (colon < 0 || st[colon]!.text !== ":") return false;
      let q = colon + 1;
      if (!VMAP_VERDICTS.has(st[q]?.text ?? "")) return false;
      q += st[q]!.text === "jump" || st[q]!.text === "goto" ? 2 : 1;
      const sub = new RuleReader([...key, ...st.slice(p, colon), ...st.slice(colon + 1, q)], this.r, this.chain);
      let rule: Rule;
      try {
        rule = sub.read({ file: "", line: 0, column: 0 }, "");
      } catch {
        return false;
      }
      if (rule.conditions.some((c) => c.kind === "unknown") || sub.vmap) return false;
      elements.push({ conditions: rule.conditions, action: rule.action });
      p = q;
    }
    this.vmap = elements;
    this.action = { kind: "unknown", target: "vmap" };
    this.j = p + 1;
    return true;
  }

  private stmt(): void {
    if (this.tryVmap()) return;
    const start = this.j;
    const before = this.conds.length;
    try {
      this.stmt1();
    } catch (e) {
      if (!(e instanceof Bail)) throw e;
      this.conds.length = before;
      this.unknown(start, "maps, verdict maps, concatenations and expressions are not supported yet");
    }
  }

  private stmt1(): void {
    const start = this.j;
    const t = this.next()!;
    const w = t.kind === "word" ? t.text : "";
    const add = (...c: Condition[]) => {
      if (this.action === undefined) this.conds.push(...c);
    };
    switch (w) {
      case "ip":
      case "ip6": {
        const f = this.peek()?.text;
        const family: Family = w === "ip" ? 4 : 6;
        if (f === "saddr" || f === "daddr") {
          this.j++;
          return add(...this.addr(f === "saddr" ? "src" : "dst", family, `${w} ${f}`));
        }
        if ((w === "ip" && f === "protocol") || (w === "ip6" && f === "nexthdr")) {
          this.j++;
          return add({ kind: "family", family }, ...this.proto(`${w} ${f}`));
        }
        return this.unknown(start, `${w} ${f ?? ""} is not modelled`);
      }
      case "meta": {
        const f = this.peek()?.text;
        if (f === "l4proto") {
          this.j++;
          return add(...this.proto("meta l4proto"));
        }
        if (f === "iif" || f === "iifname" || f === "oif" || f === "oifname") {
          this.j++;
          return add(...this.iface(f, `meta ${f}`));
        }
        if (f === "nfproto") {
          this.j++;
          const v = this.value("meta nfproto", false);
          const fams = v.items.map((x) => (x.text === "ipv4" ? 4 : x.text === "ipv6" ? 6 : null));
          if (v.op === "==" && fams.length === 1 && fams[0] !== null) return add({ kind: "family", family: fams[0]! });
          return this.unknown(start, "meta nfproto form not modelled");
        }
        return this.unknown(start, `meta ${f ?? ""} is not modelled`);
      }
      case "tcp":
      case "udp":
      case "th":
      case "sctp":
      case "dccp":
      case "udplite": {
        const f = this.peek()?.text;
        if (f === "dport" || f === "sport") {
          this.j++;
          const p = PORT_PROTO[w];
          const c = this.ports(f, w);
          return add(...(p !== undefined ? [{ kind: "proto", protos: [p] } as Condition] : []), ...c);
        }
        if (w === "tcp" && f === "flags") {
          this.j++;
          return add({ kind: "proto", protos: [6] }, ...this.flags());
        }
        return this.unknown(start, `${w} ${f ?? ""} is not modelled`);
      }
      case "iif":
      case "iifname":
      case "oif":
      case "oifname":
        return add(...this.iface(w, w));
      case "ct": {
        if (this.peek()?.text !== "state") return this.unknown(start, `ct ${this.peek()?.text ?? ""} is not modelled`);
        this.j++;
        const v = this.value("ct state", true);
        const states: CtState[] = [];
        for (const x of v.items) {
          if (!CT.has(x.text)) throw new Fail(x.tok, `expected a connection state (new, established, related, invalid, untracked) after 'ct state', found ${found(x.tok)}`);
          states.push(x.text as CtState);
        }
        if (v.op !== "==" && v.op !== "!=") throw new Fail(t, `'ct state' takes == or !=, not '${v.op}'`);
        return add(v.op === "!=" ? { kind: "ctstate", states, negate: true } : { kind: "ctstate", states });
      }
      case "icmp":
      case "icmpv6": {
        if (this.peek()?.text !== "type") return this.unknown(start, `${w} ${this.peek()?.text ?? ""} is not modelled`);
        this.j++;
        const family: Family = w === "icmp" ? 4 : 6;
        const table = family === 4 ? ICMP_NFT : ICMPV6_NFT;
        const v = this.value(`${w} type`, false);
        const types = v.items.map((x) => {
          const n = table.get(x.text) ?? (/^[0-9]{1,3}$/.test(x.text) && Number(x.text) <= 255 ? Number(x.text) : undefined);
          if (n === undefined) throw new Fail(x.tok, `expected an ${w} type name or number after '${w} type', found ${found(x.tok)}`);
          return n;
        });
        if (v.op !== "==" && v.op !== "!=") throw new Fail(t, `'${w} type' takes == or != here, not '${v.op}'`);
        const proto: Condition = { kind: "proto", protos: [family === 4 ? 1 : 58] };
        if (v.op === "!=") return add({ kind: "family", family }, proto, ...types.map((type): Condition => ({ kind: "icmp", family, type, negate: true })));
        if (types.length === 1) return add({ kind: "family", family }, proto, { kind: "icmp", family, type: types[0]! });
        return add({ kind: "family", family }, proto, { kind: "or", anyOf: types.map((type) => [{ kind: "icmp", family, type }]) });
      }
      case "fib": {
        const a = this.st.slice(this.j, this.j + 4).map((x) => x.text);
        if (a[0] === "daddr" && a[1] === "type" && a[2] === "local") {
          this.j += 3;
          return add({ kind: "local-dst", text: "fib daddr type local" });
        }
        if (a[0] === "daddr" && a[1] === "type" && a[2] === "!=" && a[3] === "local") {
          this.j += 4;
          return add({ kind: "local-dst", text: "fib daddr type != local", negate: true });
        }
        return this.unknown(start, "fib lookup not modelled");
      }
      case "counter": {
        if (this.peek()?.text === "packets") this.j += 4;
        else if (this.peek()?.text === "name") this.j += 2;
        this.nonTerminal ??= "counter";
        return;
      }
      case "log": {
        while (this.j < this.st.length && ["prefix", "level", "group", "snaplen", "queue-threshold"].includes(this.peek()!.text)) this.j += 2;
        if (this.peek()?.text === "flags") {
          this.j++;
          // `log flags tcp sequence,options`, `log flags ip options`, `log flags all`
          while (this.j < this.st.length && (!START.has(this.peek()!.text) || (["ip", "tcp"].includes(this.peek()!.text) && /^(options|sequence)/.test(this.peek(1)?.text ?? "")))) this.j++;
        }
        this.nonTerminal ??= "log";
        return;
      }
      case "comment": {
        const c = this.next();
        if (!c) throw new Fail(this.end(), "expected a string after 'comment', found end of rule");
        this.comment = c.text;
        return;
      }
      case "accept":
      case "drop":
      case "return":
        return this.verdict({ kind: w });
      case "continue":
        return this.verdict({ kind: "continue", target: "continue" });
      case "reject": {
        let withText: string | undefined;
        if (this.peek()?.text === "with") {
          const from = this.j;
          this.j++;
          const kind = this.next();
          if (!kind) throw new Fail(this.end(), "expected 'icmp', 'icmpv6', 'icmpx' or 'tcp reset' after 'reject with', found end of rule");
          if (kind.text === "tcp") this.j++;
          else {
            if (this.peek()?.text === "type") this.j++;
            this.j++;
          }
          withText = this.st.slice(from + 1, this.j).map((x) => x.text).join(" ");
        }
        return this.verdict(withText === undefined ? { kind: "reject" } : { kind: "reject", with: withText });
      }
      case "jump":
      case "goto": {
        const target = this.next();
        if (target?.text === "{") {
          for (let depth = 1; this.j < this.st.length && depth > 0; this.j++) {
            const b = this.st[this.j]!;
            if (b.kind === "punct" && b.text === "{") depth++;
            else if (b.kind === "punct" && b.text === "}") depth--;
          }
          return this.verdict({ kind: "unknown", target: `${w} to an anonymous chain (not supported yet)` });
        }
        if (!target || (target.kind !== "word" && target.kind !== "string")) throw new Fail(target ?? this.end(), `expected a chain name after '${w}', found ${target ? found(target) : "end of rule"}`);
        return this.verdict({ kind: w, chain: target.text });
      }
      case "dnat":
      case "redirect": {
        const a = this.nat(w);
        if (a) return this.verdict(a);
        while (this.j < this.st.length && !START.has(this.peek()!.text)) this.j++;
        return this.verdict({ kind: "unknown", target: `${w} (a form not supported yet)` });
      }
      case "snat":
      case "masquerade":
      case "queue": {
        void start;
        while (this.j < this.st.length && !START.has(this.peek()!.text)) this.j++;
        if (w === "snat" || w === "masquerade") return this.verdict({ kind: "snat", to: {}, target: w });
        return this.verdict({ kind: "unknown", target: w });
      }
      default:
        if (t.kind === "punct" || t.kind === "op") throw new Fail(t, `expected a match, statement or verdict, found ${found(t)}`);
        return this.unknown(start, `'${w || t.text}' is not modelled`);
    }
  }

  /** `dnat [ip|ip6] to ADDR[-ADDR][:PORT[-PORT]]`, `redirect [to :PORT[-PORT]]`; null for other forms (nothing consumed). */
  private nat(w: string): Action | null {
    const save = this.j;
    const fail = () => {
      this.j = save;
      return null;
    };
    let family: Family | undefined = this.chain.table.startsWith("ip6 ") ? 6 : this.chain.table.startsWith("ip ") ? 4 : undefined;
    if (this.peek()?.text === "ip" || this.peek()?.text === "ip6") {
      family = this.next()!.text === "ip" ? 4 : 6;
    }
    const ports = (t: string): PortRange | null => {
      const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(t);
      if (!m) return null;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : Number(m[2]);
      return lo <= hi && hi <= 65535 ? [lo, hi] : null;
    };
    const flagsOk = () => {
      while (["persistent", "random", "fully-random"].includes(this.peek()?.text ?? "")) this.j++;
      if (this.peek()?.text === ",") return false;
      return this.j >= this.st.length || START.has(this.peek()!.text);
    };
    if (w === "redirect") {
      if (this.peek()?.text !== "to") return flagsOk() ? { kind: "dnat", to: {}, target: "redirect" } : fail();
      this.j++;
      const t = this.next()?.text ?? "";
      const r = ports(t.startsWith(":") ? t.slice(1) : t);
      return r && flagsOk() ? { kind: "dnat", to: { ports: r }, target: `redirect to :${t.replace(/^:/, "")}` } : fail();
    }
    if (this.peek()?.text !== "to") return fail();
    this.j++;
    const tok = this.next();
    if (!tok || tok.kind !== "word") return fail();
    let addrText = tok.text;
    let portText: string | undefined;
    if (addrText.startsWith("[")) {
      const close = addrText.indexOf("]");
      if (close < 0) return fail();
      portText = addrText.slice(close + 1).startsWith(":") ? addrText.slice(close + 2) : undefined;
      addrText = addrText.slice(1, close);
      family ??= 6;
    } else if (!addrText.includes("::") && addrText.split(":").length === 2) {
      [addrText, portText] = addrText.split(":") as [string, string];
      family ??= 4;
    }
    family ??= addrText.includes(":") ? 6 : 4;
    const addr = parseAddrRange(addrText, family);
    if (!addr || addr.lo > addr.hi) return fail();
    const pr = portText === undefined ? undefined : ports(portText);
    if (pr === null || !flagsOk()) return fail();
    if (this.chain.table.startsWith("inet ") && this.action === undefined) this.conds.push({ kind: "family", family });
    return { kind: "dnat", to: pr ? { addr, ports: pr, family } : { addr, family }, target: `dnat to ${tok.text}` };
  }

  private verdict(a: Action): void {
    if (this.action === undefined) this.action = a;
  }

  private value(what: string, commaList: boolean): Value {
    let op = "==";
    const o = this.peek();
    const OPS: Record<string, string> = { eq: "==", ne: "!=", lt: "<", gt: ">", le: "<=", ge: ">=" };
    if (o && o.kind === "op") {
      op = o.text === "!" ? "!=" : o.text === "=" ? "==" : o.text;
      this.j++;
    } else if (o && o.kind === "word" && OPS[o.text] && this.peek(1)) {
      op = OPS[o.text]!;
      this.j++;
    }
    const first = this.next();
    const after = this.peek();
    if (first && (["map", "vmap", ".", "set", "&", "|", "^", ">>", "<<"].includes(first.text) || (after && ["map", "vmap", ".", "&", "|", "^", ">>", "<<"].includes(after.text)))) throw new Bail();
    if (!first || first.kind === "op") throw new Fail(first ?? this.end(), `expected a value after '${what}', found ${first ? found(first) : "end of rule"}`);
    const item = (t: Tok): { text: string; tok: Tok } => {
      if (this.peek()?.text === "-" && this.peek(1)) {
        this.j++;
        const hi = this.next()!;
        return { text: `${t.text}-${hi.text}`, tok: t };
      }
      return { text: t.text, tok: t };
    };
    if (first.kind === "punct" && first.text === "{") {
      const items: { text: string; tok: Tok }[] = [];
      for (;;) {
        const t = this.next();
        if (!t) throw new Fail(this.end(), `expected '}' to close the set after '${what}', found end of rule`);
        if (t.kind === "punct" && t.text === "}") break;
        if (t.kind === "punct" && t.text === ",") continue;
        if (t.text === "{" || t.text === "." || t.text === ":" || t.text === "*") throw new Bail();
        if (t.kind === "punct" || t.kind === "op") throw new Fail(t, `expected a set element after '${what}', found ${found(t)}`);
        items.push(item(t));
      }
      if (items.length === 0) throw new Fail(first, `expected at least one element in the set after '${what}'`);
      return { op, items, set: true };
    }
    if (first.kind === "punct") throw new Fail(first, `expected a value after '${what}', found ${found(first)}`);
    if (first.text.startsWith("@")) {
      const known = this.r.currentSets.get(first.text.slice(1));
      if (known && known.length > 0) return { op, items: known, set: true };
      return { op, items: [], set: true, named: first.text };
    }
    const items = [item(first)];
    while (commaList && this.peek()?.text === "," && this.peek(1)) {
      this.j++;
      items.push(item(this.next()!));
    }
    return { op, items, set: false };
  }

  private named(v: Value, what: string): Condition[] | null {
    return v.named ? [{ kind: "unknown", text: `${what} ${v.op === "==" ? "" : v.op + " "}${v.named}`, reason: "the named set is not modelled (undeclared, dynamic or of an unsupported kind)" }] : null;
  }

  private addr(field: "src" | "dst", family: Family, what: string): Condition[] {
    const v = this.value(what, false);
    const fam: Condition = { kind: "family", family };
    const n = this.named(v, what);
    if (n) return [fam, ...n];
    if (v.op !== "==" && v.op !== "!=") throw new Fail(v.items[0]!.tok, `'${what}' with '${v.op}' is not supported; expected == or !=`);
    const ranges = v.items.flatMap((x) => {
      if (x.text.includes("-")) {
        const r = parseAddrRange(x.text, family);
        if (!r || r.lo > r.hi) throw new Fail(x.tok, `expected an IPv${family} address, prefix or range after '${what}', found ${found(x.tok)}`);
        return [r];
      }
      const p = parseAddrSpec(x.text, family);
      if (!p.ok) throw new Fail(x.tok, `expected an IPv${family} address, prefix or range after '${what}', found ${found(x.tok)} (${p.detail})`);
      if ("range" in p) return [p.range];
      if (!p.ranges) throw new Fail(x.tok, `non-contiguous mask too wide in ${found(x.tok)} after '${what}'`);
      return p.ranges;
    });
    return [fam, v.op === "!=" ? { kind: "addr", field, family, ranges, negate: true } : { kind: "addr", field, family, ranges }];
  }

  private proto(what: string): Condition[] {
    const v = this.value(what, false);
    const n = this.named(v, what);
    if (n) return n;
    const protos = v.items.flatMap((x) => {
      const d = x.text.indexOf("-");
      if (d > 0 && /^[0-9]/.test(x.text)) {
        const lo = protocolNumber(x.text.slice(0, d));
        const hi = protocolNumber(x.text.slice(d + 1));
        if (lo === null || hi === null || lo > hi) throw new Fail(x.tok, `expected a protocol name, number or range after '${what}', found ${found(x.tok)}`);
        return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
      }
      const p = protocolNumber(x.text === "ipv6-icmp" ? "icmpv6" : x.text);
      if (p === null) throw new Fail(x.tok, `expected a protocol name or number after '${what}', found ${found(x.tok)}`);
      return p;
    });
    if (v.op !== "==" && v.op !== "!=") throw new Fail(v.items[0]!.tok, `'${what}' with '${v.op}' is not supported; expected == or !=`);
    return [v.op === "!=" ? { kind: "proto", protos, negate: true } : { kind: "proto", protos }];
  }

  private ports(field: "dport" | "sport", proto: string): Condition[] {
    const what = `${proto} ${field}`;
    const v = this.value(what, false);
    const n = this.named(v, what);
    if (n) return n;
    const one = (s: string, tok: Tok): number => {
      if (/^[0-9]{1,5}$/.test(s) && Number(s) <= 65535) return Number(s);
      const p = /^[a-z][a-z0-9-]*$/i.test(s) ? servicePort(s, proto) : null;
      if (p === null) throw new Fail(tok, `expected a port, service name or range after '${what}', found ${found(tok)}`);
      return p;
    };
    const ranges: PortRange[] = v.items.map((x) => {
      const d = x.text.indexOf("-");
      if (d > 0 && /^[0-9]/.test(x.text)) {
        const lo = one(x.text.slice(0, d), x.tok);
        const hi = one(x.text.slice(d + 1), x.tok);
        if (lo > hi) throw new Fail(x.tok, `invalid port range '${x.text}' after '${what}' (low > high)`);
        return [lo, hi];
      }
      const p = one(x.text, x.tok);
      return [p, p];
    });
    const field2 = field;
    switch (v.op) {
      case "==":
        return [{ kind: "port", field: field2, ranges }];
      case "!=":
        return [{ kind: "port", field: field2, ranges, negate: true }];
    }
    if (v.set || ranges.length !== 1 || ranges[0]![0] !== ranges[0]![1]) throw new Fail(v.items[0]!.tok, `'${v.op}' after '${what}' takes a single port`);
    const p = ranges[0]![0];
    const r: PortRange | null = v.op === "<" ? (p > 0 ? [0, p - 1] : null) : v.op === "<=" ? [0, p] : v.op === ">" ? (p < 65535 ? [p + 1, 65535] : null) : [p, 65535];
    return [r ? { kind: "port", field: field2, ranges: [r] } : { kind: "port", field: field2, ranges: [[0, 65535]], negate: true }];
  }

  private iface(key: string, what: string): Condition[] {
    const v = this.value(what, false);
    const n = this.named(v, what);
    if (n) return n;
    if (v.op !== "==" && v.op !== "!=") throw new Fail(v.items[0]!.tok, `'${what}' with '${v.op}' is not supported; expected == or !=`);
    const field = key.startsWith("i") ? "iif" : "oif";
    const conds = v.items.map((x): Condition => {
      const prefix = x.text.endsWith("*") && !x.text.endsWith("\\*");
      const name = prefix ? x.text.slice(0, -1) : x.text;
      return v.op === "!=" ? { kind: "iface", field, name, prefix, negate: true } : { kind: "iface", field, name, prefix };
    });
    if (v.op === "!=" || conds.length === 1) return conds;
    return [{ kind: "or", anyOf: conds.map((c) => [c]) }];
  }

  private flags(): Condition[] {
    // Forms: `tcp flags syn`, `tcp flags syn,ack` (any of), `tcp flags & (a|b) == c`, `tcp flags & (a|b) != c`,
    // `tcp flags c / a,b`, `tcp flags == c`, `tcp flags != c`, `tcp flags { a, b|c }` (exact values).
    const bits = (t: Tok | undefined): number => {
      if (!t) throw new Fail(this.end(), "expected a TCP flag (fin, syn, rst, psh, ack, urg, ecn, cwr) after 'tcp flags', found end of rule");
      if (/^(0x[0-9a-f]{1,2}|[0-9]{1,3})$/i.test(t.text) && Number(t.text) <= 255) return Number(t.text);
      const parts = t.text.split("|");
      let m = 0;
      for (const p of parts) {
        const b = TCP_FLAGS[p];
        if (b === undefined) throw new Fail(t, `expected a TCP flag (fin, syn, rst, psh, ack, urg, ecn, cwr) after 'tcp flags', found ${found(t)}`);
        m |= b;
      }
      return m;
    };
    const orList = (commas = true): number => {
      let m = 0;
      if (this.peek()?.text === "(") {
        this.j++;
        while (this.peek() && this.peek()!.text !== ")") {
          const t = this.next()!;
          if (t.text !== "|" && t.text !== ",") m |= bits(t);
        }
        this.j++;
        return m;
      }
      m |= bits(this.next());
      while ((this.peek()?.text === "|" || (commas && this.peek()?.text === ",")) && this.peek(1)) {
        this.j++;
        m |= bits(this.next());
      }
      return m;
    };
    if (this.peek()?.text === "&") {
      this.j++;
      const mask = orList();
      const op = this.next();
      if (op && ["map", "vmap", "."].includes(op.text)) throw new Bail();
      if (!op || (op.text !== "==" && op.text !== "!=")) throw new Fail(op ?? this.end(), `expected '==' or '!=' after 'tcp flags & ...', found ${op ? found(op) : "end of rule"}`);
      if (this.peek()?.text === "{") {
        this.j++;
        const any: Condition[][] = [];
        for (;;) {
          const t = this.peek();
          if (!t) throw new Fail(this.end(), "expected '}' to close the set after 'tcp flags & ...', found end of rule");
          this.j++;
          if (t.text === "}") break;
          if (t.text === ",") continue;
          this.j--;
          any.push([{ kind: "tcpflags", mask, comp: orList(false) & mask }]);
        }
        return [op.text === "!=" ? { kind: "or", anyOf: any, negate: true } : { kind: "or", anyOf: any }];
      }
      const comp = orList();
      return [op.text === "!=" ? { kind: "tcpflags", mask, comp, negate: true } : { kind: "tcpflags", mask, comp }];
    }
    let op = "";
    if (this.peek()?.kind === "op") op = this.next()!.text;
    if (this.peek()?.text === "{") {
      this.j++;
      const values: number[] = [];
      for (;;) {
        const t = this.next();
        if (!t) throw new Fail(this.end(), "expected '}' to close the set after 'tcp flags', found end of rule");
        if (t.text === "}") break;
        if (t.text === ",") continue;
        let v = bits(t);
        while (this.peek()?.text === "|") {
          this.j++;
          v |= bits(this.next());
        }
        values.push(v);
      }
      const any: Condition[][] = values.map((comp) => [{ kind: "tcpflags", mask: 255, comp }]);
      return [op === "!=" ? { kind: "or", anyOf: any, negate: true } : { kind: "or", anyOf: any }];
    }
    const first = this.peek();
    const value = orList();
    if (this.peek()?.text === "/") {
      this.j++;
      const mask = orList();
      return [op === "!=" ? { kind: "tcpflags", mask, comp: value & mask, negate: true } : { kind: "tcpflags", mask, comp: value & mask }];
    }
    if (op === "==") return [{ kind: "tcpflags", mask: 255, comp: value }];
    if (op === "!=") return [{ kind: "tcpflags", mask: 255, comp: value, negate: true }];
    if (op !== "") throw new Fail(first!, `'tcp flags' with '${op}' is not supported`);
    // Implicit: any of the listed flags is set.
    const single = [1, 2, 4, 8, 16, 32, 64, 128].filter((b) => value & b);
    if (single.length === 1) return [{ kind: "tcpflags", mask: value, comp: value }];
    return [{ kind: "or", anyOf: single.map((b) => [{ kind: "tcpflags", mask: b, comp: b }]) }];
  }
}

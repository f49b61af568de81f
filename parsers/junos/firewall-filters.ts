/**
 * Stateless firewall filters: `firewall family inet|inet6 filter F term T from {...} then {...}`
 * (`firewall filter F` is family inet). Terms are tried in order; a term without `from` matches
 * every packet; a term without a terminating action accepts; `next term` goes on. A filter bound
 * to an interface ends with an implicit discard; `input-list`/`output-list` filters run in
 * order and the discard comes after the last one. An interface without a filter accepts.
 *
 * Bindings (`interfaces IF unit N family inet filter input|output F`) become one dispatch chain
 * per direction and family: `iif`/`oif` equal to the unit goes to that unit's filter chain.
 */
import { chainKey, type Action, type Chain, type Condition, type Family, type PortRange, type Rule } from "../../src/model/types.js";
import { parseFilterAddress, parsePrefix } from "./addresses.js";
import { addChain, anyOf, spanOf, undefinedRef, type JunosContext } from "./context.js";
import { compileGlob } from "./groups.js";
import { parseIcmpTypeRange, parsePortRange, parseProtocolRange, parseSmallRange, TCP_FLAG_BITS } from "./names.js";
import { longestMatch, type PrefixEntry } from "./ranges.js";
import { at, child, inactiveKids, kids, type ConfigNode } from "./tree.js";

export const FAMILIES: { name: "inet" | "inet6"; family: Family }[] = [
  { name: "inet", family: 4 },
  { name: "inet6", family: 6 },
];

const UNMODELLED_TERMINATING = new Set(["routing-instance", "next-ip", "next-ip6", "next-interface", "encapsulate", "decapsulate", "topology", "logical-system"]);

export interface FilterStages {
  /** Dispatch chains by family and direction. */
  input: Map<Family, string>;
  output: Map<Family, string>;
  /** lo0's input filters: traffic to the device. */
  loopback: Map<Family, string>;
}

export function buildFirewallFilters(ctx: JunosContext): FilterStages {
  const filters = new Map<string, { node: ConfigNode; key?: string }>(); // "inet/F"
  const fw = at(ctx.root, "firewall");
  const register = (fam: "inet" | "inet6", f: ConfigNode) => filters.set(`${fam}/${f.name}`, { node: f });
  for (const f of kids(child(fw, "filter"))) register("inet", f);
  for (const { name } of FAMILIES) for (const f of kids(at(fw, "family", name, "filter"))) register(name, f);
  const prefixLists = new PrefixLists(ctx);

  /** The chain of filter `name` (built on first use), or undefined when the family has no such filter. */
  const chainFor = (fam: "inet" | "inet6", name: string): string | undefined => {
    const e = filters.get(`${fam}/${name}`);
    if (!e) return undefined;
    if (!e.key) {
      // the key first: a filter a nested reference leads back to is not built twice
      e.key = chainKey(`firewall ${fam}`, `filter ${name}`);
      buildFilter(ctx, fam, e.node, prefixLists, chainFor);
    }
    return `filter ${name}`;
  };

  const stages: FilterStages = { input: new Map(), output: new Map(), loopback: new Map() };
  let namedElsewhere: Set<string> | undefined;
  for (const { name: fam, family } of FAMILIES) {
    const dispatch: Record<"input" | "output" | "loopback", Chain> = {
      input: { name: `${fam} input`, table: `firewall ${fam}`, rules: [], policy: "accept", span: spanOf(ctx, { line: 1, column: 1 }), label: `the interfaces' family ${fam} input filters`, acceptText: `an interface with no input filter (family ${fam}) accepts what arrives` },
      output: { name: `${fam} output`, table: `firewall ${fam}`, rules: [], policy: "accept", span: spanOf(ctx, { line: 1, column: 1 }), label: `the interfaces' family ${fam} output filters`, acceptText: `an interface with no output filter (family ${fam}) passes what leaves` },
      loopback: { name: `${fam} loopback input`, table: `firewall ${fam}`, rules: [], policy: "accept", span: spanOf(ctx, { line: 1, column: 1 }), label: `lo0's family ${fam} input filter`, acceptText: `lo0 with no input filter (family ${fam}) accepts what is for the device` },
    };
    for (const ifd of kids(at(ctx.root, "interfaces"))) {
      for (const unit of kids(child(ifd, "unit"))) {
        const unitName = `${ifd.name}.${unit.name}`;
        const filterNode = at(unit, "family", fam, "filter");
        if (!filterNode) continue;
        let bound = false;
        for (const dir of ["input", "output"] as const) {
          const single = kids(child(filterNode, dir));
          const list = kids(child(filterNode, `${dir}-list`));
          const names = single.length > 0 ? single.slice(0, 1) : list;
          if (names.length === 0) continue;
          bound = true;
          const binding: Chain = { name: `${unitName} ${dir}`, table: `firewall ${fam}`, rules: [], span: spanOf(ctx, names[0]!), label: `interface ${unitName} family ${fam} filter ${dir}` };
          for (const n of names) {
            const key = chainFor(fam, n.name);
            if (key) binding.rules.push({ id: `${unitName} ${dir} filter ${n.name}`, conditions: [], action: { kind: "jump", chain: key }, span: spanOf(ctx, n) });
            else {
              undefinedRef(ctx, n, `interface ${unitName}: ${dir} filter '${n.name}' is not defined under 'firewall family ${fam}'`);
              binding.rules.push({ id: `${unitName} ${dir} filter ${n.name}`, conditions: [], action: { kind: "unknown", target: `undefined filter ${n.name}` }, span: spanOf(ctx, n) });
            }
          }
          const last = names[names.length - 1]!;
          const lastDef = filters.get(`${fam}/${last.name}`)?.node ?? last;
          binding.rules.push({ id: `filter ${last.name} implicit discard`, conditions: [], action: { kind: "drop" }, span: spanOf(ctx, lastDef), comment: "a packet no term matched is discarded", implied: true });
          addChain(ctx, binding);
          const isLoopback = ifd.name === "lo0" && dir === "input";
          const target = isLoopback ? dispatch.loopback : dispatch[dir];
          target.rules.push({
            id: `${unitName} ${dir}`,
            conditions: isLoopback ? [] : [{ kind: "iface", field: dir === "input" ? "iif" : "oif", name: unitName, prefix: false }],
            action: { kind: "goto", chain: binding.name },
            span: spanOf(ctx, names[0]!),
          });
        }
        if (!bound) ctx.diags.error({ line: filterNode.line, column: filterNode.column }, `interface ${unitName} family ${fam}: expected 'filter input|output|input-list|output-list NAME'`);
      }
    }
    // Filters no interface uses. One that something else names (forwarding-options, a routing
    // instance, another filter's term ...) is read for its diagnostics only; one nothing names is a
    // chain that nothing enters, reported as never applied, with its terms examined.
    for (const f of kids(fam === "inet" ? child(fw, "filter") : undefined).concat(kids(at(fw, "family", fam, "filter")))) {
      const e = filters.get(`${fam}/${f.name}`);
      if (!e || e.key) continue;
      if ((namedElsewhere ??= wordsOutside(ctx.root, new Set([...filters.values()].map((x) => x.node)))).has(f.name)) {
        for (const t of kids(child(f, "term"))) termRule(ctx, family, f.name, t, prefixLists);
        continue;
      }
      chainFor(fam, f.name);
      const terms = kids(child(f, "term")).length;
      ctx.chains.get(e.key!)!.applied = { by: `no interface applies it (family ${fam} filter input|output), and nothing else in the configuration names it`, entries: terms, unit: ["term", "terms"], ...(ctx.complete ? {} : { elsewhere: true as const }) };
    }
    for (const dir of ["input", "output", "loopback"] as const) {
      if (dispatch[dir].rules.length > 0) {
        dispatch[dir].span = dispatch[dir].rules[0]!.span;
        stages[dir].set(family, addChain(ctx, dispatch[dir]));
      }
    }
  }
  return stages;
}

/** Every word of the configuration but the names the `defs` nodes declare (their contents included). */
function wordsOutside(root: ConfigNode, defs: ReadonlySet<ConfigNode>): Set<string> {
  const words = new Set<string>();
  const work = [root];
  for (let n = work.pop(); n !== undefined; n = work.pop()) {
    for (const c of n.children.values()) {
      if (!defs.has(c)) words.add(c.name);
      work.push(c);
    }
  }
  return words;
}

/**
 * A filter's chain. A term that references another filter (`term t filter F2`: no from, no then)
 * runs F2's terms there, and the packets none of them decides go on to the next term: a jump.
 */
function buildFilter(ctx: JunosContext, fam: "inet" | "inet6", f: ConfigNode, lists: PrefixLists, chainFor: (fam: "inet" | "inet6", name: string) => string | undefined): string {
  const family: Family = fam === "inet" ? 4 : 6;
  const chain: Chain = { name: `filter ${f.name}`, table: `firewall ${fam}`, rules: [], span: spanOf(ctx, f), label: `firewall family ${fam} filter ${f.name}` };
  for (const t of kids(child(f, "term"))) {
    const nested = kids(child(t, "filter"))[0];
    if (nested) {
      const target = chainFor(fam, nested.name);
      if (!target) undefinedRef(ctx, nested, `filter ${f.name} term ${t.name}: filter '${nested.name}' is not defined under 'firewall family ${fam}'`);
      // an undefined one may decide a packet or leave it to the next term: both stay open
      const unknown: Condition = { kind: "unknown", text: `filter ${nested.name}`, reason: `filter ${nested.name} is not defined in this file: its terms may decide a packet or leave it to the next term` };
      const rule: Rule = target
        ? { id: `filter ${f.name} term ${t.name}`, conditions: [], action: { kind: "jump", chain: target }, span: spanOf(ctx, t) }
        : { id: `filter ${f.name} term ${t.name}`, conditions: [unknown], action: { kind: "unknown", target: `undefined filter ${nested.name}` }, span: spanOf(ctx, t) };
      chain.rules.push(rule);
      ctx.ruleCount++;
      continue;
    }
    const rule = termRule(ctx, family, f.name, t, lists);
    chain.rules.push(rule);
    ctx.ruleCount++;
  }
  for (const t of inactiveKids(child(f, "term"))) ctx.diags.info(t, `filter ${f.name}: term '${t.name}' is inactive; it is not a rule`);
  return addChain(ctx, chain);
}

function termRule(ctx: JunosContext, family: Family, filter: string, t: ConfigNode, lists: PrefixLists): Rule {
  const from = child(t, "from");
  const conditions: Condition[] = [];
  const addrEntries = new Map<string, PrefixEntry[]>(); // field key -> entries
  const addrUnknown = new Map<string, Condition[][]>();
  const pushAddr = (key: string, e: PrefixEntry[], unknown?: Condition[]) => {
    addrEntries.set(key, [...(addrEntries.get(key) ?? []), ...e]);
    if (unknown) addrUnknown.set(key, [...(addrUnknown.get(key) ?? []), unknown]);
  };
  for (const k of kids(from)) {
    const vals = kids(k);
    const key = k.name;
    switch (key) {
      case "source-address":
      case "destination-address":
      case "address":
        for (const v of vals) {
          const p = parseFilterAddress(v.name);
          if (!p) {
            ctx.diags.error(v, `filter ${filter} term ${t.name}: expected an address prefix after '${key}', found '${v.name}'`);
            pushAddr(key, [], [{ kind: "unknown", text: `${key} ${v.name}`, reason: "unparsed address" }]);
          } else if (p.family === family) pushAddr(key, p.ranges.map((range) => ({ range, len: p.len, except: kids(v).some((x) => x.name === "except") })));
          else pushAddr(key, []);
        }
        break;
      case "source-prefix-list":
      case "destination-prefix-list":
      case "prefix-list": {
        const field = key === "prefix-list" ? "address" : key.replace("-prefix-list", "-address");
        for (const v of vals) {
          const except = kids(v).some((x) => x.name === "except");
          const entries = lists.resolve(v.name, family);
          if (!entries) {
            undefinedRef(ctx, v, `filter ${filter} term ${t.name}: prefix-list '${v.name}' is not defined under 'policy-options'`);
            pushAddr(field, [], [{ kind: "unknown", text: `${key} ${v.name}`, reason: `undefined prefix-list ${v.name}` }]);
          } else pushAddr(field, entries.map((e) => ({ ...e, except })));
        }
        break;
      }
      case "protocol":
      case "next-header":
      case "payload-protocol":
      case "protocol-except":
      case "next-header-except":
      case "payload-protocol-except": {
        const protos: number[] = [];
        for (const v of vals) {
          const p = parseProtocolRange(v.name);
          if (p) protos.push(...p);
          else ctx.diags.error(v, `filter ${filter} term ${t.name}: unknown protocol '${v.name}'`);
        }
        conditions.push({ kind: "proto", protos, ...(key.endsWith("-except") ? { negate: true } : {}) });
        break;
      }
      case "port":
      case "source-port":
      case "destination-port":
      case "port-except":
      case "source-port-except":
      case "destination-port-except": {
        const ranges: PortRange[] = [];
        for (const v of vals) {
          const r = parsePortRange(v.name);
          if (r) ranges.push(r);
          else ctx.diags.error(v, `filter ${filter} term ${t.name}: expected a port or port range after '${key}', found '${v.name}'`);
        }
        const negate = key.endsWith("-except");
        const base = key.replace("-except", "");
        if (base === "port") conditions.push({ kind: "or", anyOf: [[{ kind: "port", field: "sport", ranges }], [{ kind: "port", field: "dport", ranges }]], ...(negate ? { negate } : {}) });
        else conditions.push({ kind: "port", field: base === "source-port" ? "sport" : "dport", ranges, ...(negate ? { negate } : {}) });
        break;
      }
      case "icmp-type":
      case "icmp-type-except":
      case "icmp6-type": {
        const alts: Condition[][] = [];
        for (const v of vals) {
          const r = parseIcmpTypeRange(v.name, family);
          if (!r) {
            ctx.diags.warn(v, `filter ${filter} term ${t.name}: unknown ICMP type '${v.name}'`);
            alts.push([{ kind: "unknown", text: `${key} ${v.name}`, reason: "unknown ICMP type" }]);
          } else for (let ty = r[0]; ty <= r[1]; ty++) alts.push([{ kind: "icmp", family, type: ty }]);
        }
        conditions.push({ kind: "or", anyOf: alts, ...(key.endsWith("-except") ? { negate: true } : {}) });
        break;
      }
      case "icmp-code":
      case "icmp-code-except":
      case "icmp6-code": {
        const alts: Condition[][] = [];
        for (const v of vals) {
          const r = parseSmallRange(v.name);
          alts.push(r ? [{ kind: "icmp", family, codeLo: r[0], codeHi: r[1] }] : [{ kind: "unknown", text: `${key} ${v.name}`, reason: "ICMP code name not modelled" }]);
        }
        conditions.push({ kind: "or", anyOf: alts, ...(key.endsWith("-except") ? { negate: true } : {}) });
        break;
      }
      case "tcp-established":
        conditions.push({ kind: "proto", protos: [6] }, { kind: "or", anyOf: [[{ kind: "tcpflags", mask: 0x10, comp: 0x10 }], [{ kind: "tcpflags", mask: 0x04, comp: 0x04 }]] });
        break;
      case "tcp-initial":
        conditions.push({ kind: "proto", protos: [6] }, { kind: "tcpflags", mask: 0x12, comp: 0x02 });
        break;
      case "tcp-flags":
        for (const v of vals) conditions.push(...tcpFlagsExpr(v.name));
        break;
      case "is-fragment":
        conditions.push({ kind: "fragment" });
        break;
      // the TTL (inet) or hop limit (inet6): as the packet arrived in an input filter, one lower in
      // an output filter (the stages say which, see index.ts)
      case "ttl":
      case "ttl-except":
      case "hop-limit":
      case "hop-limit-except": {
        if ((family === 4) !== key.startsWith("ttl")) {
          ctx.diags.error(vals[0] ?? t, `filter ${filter} term ${t.name}: '${key}' is a family ${family === 4 ? "inet6" : "inet"} match condition`);
          conditions.push({ kind: "unknown", text: [key, ...vals.map((v) => v.name)].join(" "), reason: `'${key}' does not apply to this family` });
          break;
        }
        const ranges: [number, number][] = [];
        for (const v of vals) {
          const r = parseSmallRange(v.name);
          if (r) ranges.push(r);
          else ctx.diags.error(v, `filter ${filter} term ${t.name}: expected a value or range from 0 to 255 after '${key}', found '${v.name}'`);
        }
        conditions.push({ kind: "ttl", ranges, ...(key.endsWith("-except") ? { negate: true } : {}) });
        break;
      }
      case "interface":
      case "interface-set": {
        const alts: Condition[][] = [];
        for (const v of vals) {
          const names = key === "interface" ? [v.name] : interfaceSet(ctx, v, `filter ${filter} term ${t.name}`);
          if (names) alts.push(...names.map((n) => [ifaceMatch(n)]));
          else alts.push([{ kind: "unknown", text: `interface-set ${v.name}`, reason: `undefined interface-set ${v.name}` }]);
        }
        conditions.push(...anyOf(alts));
        break;
      }
      default:
        conditions.push({ kind: "unknown", text: [key, ...vals.map((v) => v.name)].join(" "), reason: `filter match '${key}' is not modelled` });
    }
  }
  for (const key of new Set([...addrEntries.keys(), ...addrUnknown.keys()])) {
    const ranges = longestMatch(addrEntries.get(key) ?? []);
    const alts: Condition[][] = [...(addrUnknown.get(key) ?? [])];
    const fields: ("src" | "dst")[] = key === "source-address" ? ["src"] : key === "destination-address" ? ["dst"] : ["src", "dst"];
    for (const field of fields) alts.push([{ kind: "addr", field, family, ranges }]);
    conditions.push(...anyOf(alts));
  }
  return { id: `filter ${filter} term ${t.name}`, conditions, action: termAction(ctx, filter, t), span: spanOf(ctx, t) };
}

function termAction(ctx: JunosContext, filter: string, t: ConfigNode): Action {
  const then = child(t, "then");
  if (!then) return { kind: "accept" };
  for (const a of kids(then)) {
    if (a.name === "accept") return { kind: "accept" };
    if (a.name === "discard") return { kind: "drop" };
    if (a.name === "reject") {
      const w = kids(a)[0]?.name;
      return w ? { kind: "reject", with: w } : { kind: "reject" };
    }
    if (a.name === "next" && kids(a).some((x) => x.name === "term")) return { kind: "continue", target: "next term" };
    if (UNMODELLED_TERMINATING.has(a.name)) {
      ctx.diags.info(a, `filter ${filter} term ${t.name}: 'then ${a.name}' is not modelled`);
      return { kind: "unknown", target: `then ${[a.name, ...kids(a).map((x) => x.name)].join(" ")}` };
    }
  }
  return { kind: "accept" };
}

/** `tcp-flags "syn & !ack"`: a conjunction of (negated) flags, or a `|` disjunction of them. */
function tcpFlagsExpr(expr: string): Condition[] {
  const parseConj = (s: string): Condition | null => {
    let mask = 0;
    let comp = 0;
    for (const raw of s.split("&").map((x) => x.trim().replace(/^\(|\)$/g, ""))) {
      const neg = raw.startsWith("!");
      const bit = TCP_FLAG_BITS.get((neg ? raw.slice(1) : raw).trim().toLowerCase());
      if (bit === undefined) return null;
      mask |= bit;
      if (!neg) comp |= bit;
    }
    return { kind: "tcpflags", mask, comp };
  };
  const parts = expr.split("|").map(parseConj);
  if (parts.some((p) => p === null)) return [{ kind: "unknown", text: `tcp-flags ${expr}`, reason: "tcp-flags expression not modelled" }];
  const proto: Condition = { kind: "proto", protos: [6] };
  return parts.length === 1 ? [proto, parts[0]!] : [proto, { kind: "or", anyOf: parts.map((p) => [p!]) }];
}

/** `policy-options prefix-list L`: prefixes, and `apply-path` patterns over the configuration. */
class PrefixLists {
  private readonly node: ConfigNode | undefined;
  constructor(private readonly ctx: JunosContext) {
    this.node = at(ctx.root, "policy-options", "prefix-list");
  }

  resolve(name: string, family: Family): PrefixEntry[] | undefined {
    const l = child(this.node, name);
    if (!l) return undefined;
    const out: PrefixEntry[] = [];
    const add = (text: string) => {
      const p = parsePrefix(text);
      if (p && p.family === family) out.push({ range: p.range, len: p.len, except: false });
    };
    for (const c of kids(l)) {
      if (c.name === "apply-path") for (const pat of kids(c)) for (const v of this.applyPath(pat)) add(v);
      else if (c.name !== "description" && c.name !== "apply-groups") add(c.name);
    }
    return out;
  }

  /** Names at the end of an apply-path pattern (`interfaces <*> unit <*> family inet address <*>`). */
  private applyPath(pat: ConfigNode): string[] {
    let cur: ConfigNode[] = [this.ctx.root];
    for (const word of pat.name.split(/\s+/).filter(Boolean)) {
      const isPat = word.startsWith("<") && word.endsWith(">");
      const re = isPat ? compileGlob(word.slice(1, -1)) : null;
      if (isPat && re === null) {
        this.ctx.diags.warn(pat, `apply-path: invalid wildcard '${word}'; the pattern matches nothing`);
        return [];
      }
      cur = cur.flatMap((n) => (isPat ? kids(n).filter((c) => re!.test(c.name)) : kids(n).filter((c) => c.name === word)));
    }
    return cur.map((n) => n.name);
  }
}

/** An interface name in a filter match; a trailing `*` (`xe-0/0/1.*`) matches every name it begins. */
function ifaceMatch(name: string): Condition {
  return name.endsWith("*") ? { kind: "iface", field: "iif", name: name.slice(0, -1), prefix: true } : { kind: "iface", field: "iif", name, prefix: false };
}

/** The members of `firewall interface-set NAME`. */
function interfaceSet(ctx: JunosContext, ref: ConfigNode, where: string): string[] | undefined {
  const set = at(ctx.root, "firewall", "interface-set", ref.name);
  if (!set) {
    undefinedRef(ctx, ref, `${where}: interface-set '${ref.name}' is not defined under 'firewall'`);
    return undefined;
  }
  return kids(set).map((m) => m.name);
}

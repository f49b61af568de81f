/**
 * Capirca / Aerleon policy -> Ruleset.
 *
 * A filter (a header and its terms) is the list of terms its targets' generators write, in order:
 * the first term a packet matches decides it (accept, deny, reject, reject-with-tcp-rst), `next`
 * goes on to the next term, and what no term decides meets the target's end (platforms.ts). Each
 * target renders the terms for its families: a term whose addresses of a kind (source, destination)
 * all belong to the other family is left out of that family's filter, as the generators leave it
 * out; `icmp` is IPv4's protocol and `icmpv6` IPv6's. A term is left out where its `platform::` /
 * `platform-exclude::` say, once its `expiration::` date has passed, and a `verbatim::` term is
 * the named platform's own text (unknown to fwlint) and nothing on the others.
 *
 * Targets of one header that render the same rules (families, state, end, way) share one chain; each
 * chain is a filter of its own, standing for an interface packets arrive on (or leave by, for an
 * egress filter) named after it, as the cloud readers lay out their targets (cloud-dispatch.ts).
 * A header that does not say which way its filter is applied (a router ACL's) is taken as applied
 * to arriving traffic, unless another target of the same header says otherwise.
 */
import { mergeAddrRanges } from "../../src/model/address.js";
import { PORT_PROTOCOLS, protocolNumber } from "../../src/model/names.js";
import type { AddrRange, Action, Chain, Condition, Diagnostic, Family, PortRange, Rule, Ruleset, SourceSpan } from "../../src/model/types.js";
import { chainKey } from "../../src/model/types.js";
import { dispatchChain, dispatchPipelines, targetJump } from "../cloud-dispatch.js";
import { interfaceNamer } from "../interface-names.js";
import { alwaysOnEgress, sortByPriority } from "../gcp/mapper.js";
import type { Naming, ServicePort } from "./naming.js";
import { readTarget, type Direction, type TargetReading } from "./platforms.js";
import type { FilterAst, Item, PolicyAst, Pos, TermAst, Word } from "./policy.js";
import { nameTable } from "../../src/model/name-table.js";

const TABLE = "capirca";

type Say = (severity: Diagnostic["severity"], pos: Pos, message: string, extra?: Partial<Diagnostic>) => void;

/** ICMP type names of the policy language (aerleon/lib/policy.py Term.ICMP_TYPE). */
const ICMP_TYPES: Record<Family, Record<string, number>> = {
  4: {
    "echo-reply": 0, unreachable: 3, "source-quench": 4, redirect: 5, "alternate-address": 6, "echo-request": 8, "router-advertisement": 9,
    "router-solicitation": 10, "time-exceeded": 11, "parameter-problem": 12, "timestamp-request": 13, "timestamp-reply": 14,
    "information-request": 15, "information-reply": 16, "mask-request": 17, "mask-reply": 18, "conversion-error": 31, "mobile-redirect": 32,
  },
  6: {
    "destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4, "echo-request": 128, "echo-reply": 129,
    "multicast-listener-query": 130, "multicast-listener-report": 131, "multicast-listener-done": 132, "router-solicit": 133,
    "router-advertisement": 134, "neighbor-solicit": 135, "neighbor-advertisement": 136, "redirect-message": 137, "router-renumbering": 138,
    "icmp-node-information-query": 139, "icmp-node-information-response": 140, "inverse-neighbor-discovery-solicitation": 141,
    "inverse-neighbor-discovery-advertisement": 142, "version-2-multicast-listener-report": 143, "home-agent-address-discovery-request": 144,
    "home-agent-address-discovery-reply": 145, "mobile-prefix-solicitation": 146, "mobile-prefix-advertisement": 147,
    "certification-path-solicitation": 148, "certification-path-advertisement": 149, "multicast-router-advertisement": 151,
    "multicast-router-solicitation": 152, "multicast-router-termination": 153,
  },
};

/** Keywords that change nothing of which packets a term matches or what it decides. */
const NO_EFFECT = new Set([
  "comment", "counter", "logging", "log_name", "log-limit", "owner", "policer", "qos", "dscp-set", "loss-priority", "next-ip",
  "routing-instance", "port-mirror", "traffic-class-count", "timeout", "priority", "apply-groups", "apply-groups-except", "expiration",
  "platform", "platform-exclude", "verbatim", "action", "option", "restrict-address-family",
]);

/** Match keywords fwlint does not model: each an unknown condition (what ordinary traffic makes of it, where that is clear). */
const UNMODELLED: Readonly<Record<string, { reason: string; ordinary?: boolean }>> = nameTable({
  "dscp-match": { reason: "the DSCP field is not modelled" },
  "dscp-except": { reason: "the DSCP field is not modelled" },
  "ether-type": { reason: "the Ethernet type is not modelled" },
  "traffic-type": { reason: "the traffic type (unicast, broadcast ...) is not modelled" },
  "packet-length": { reason: "the packet length is not modelled" },
  "fragment-offset": { reason: "the fragment offset is not modelled" },
  "flexible-match-range": { reason: "flexible matches on packet bytes are not modelled" },
  precedence: { reason: "the IP precedence is not modelled" },
  "forwarding-class": { reason: "the forwarding class is set by the device's class of service" },
  "forwarding-class-except": { reason: "the forwarding class is set by the device's class of service" },
  "source-prefix": { reason: "a prefix list of the device's configuration, not in the policy" },
  "source-prefix-except": { reason: "a prefix list of the device's configuration, not in the policy" },
  "destination-prefix": { reason: "a prefix list of the device's configuration, not in the policy" },
  "destination-prefix-except": { reason: "a prefix list of the device's configuration, not in the policy" },
  "source-interface": { reason: "the device's interfaces are not in the policy" },
  "destination-interface": { reason: "the device's interfaces are not in the policy" },
  "source-zone": { reason: "the device's zones are not in the policy" },
  "destination-zone": { reason: "the device's zones are not in the policy" },
  "pan-application": { reason: "PAN-OS identifies applications from the traffic's content" },
  vpn: { reason: "whether traffic comes through a VPN tunnel is not modelled" },
  "target-resources": { reason: "which instances it applies to is not in the policy" },
  "target-service-accounts": { reason: "which instances run as these service accounts is not in the policy" },
  "source-tag": { reason: "instances carrying the tag, whose addresses are not in the policy (a stranger's traffic never carries it)", ordinary: false },
  "destination-tag": { reason: "instances carrying the tag, whose addresses are not in the policy" },
  tags: { reason: "instances carrying the tag, whose addresses are not in the policy" },
  encapsulate: { reason: "traffic it encapsulates goes to a tunnel, not modelled" },
  "filter-term": { reason: "it runs another filter of the device, not in the policy" },
});

/** Options (`option::`) that change nothing of which packets match. */
const NO_EFFECT_OPTIONS = new Set(["counter", "sample", "notrack", "nostate", "no-syn-cookie", "tcp-rst-fallback"]);

const TCP = 6;
const UDP = 17;
const ACK = 0x10;
const RST = 0x04;
const SYN = 0x02;

/** Targets of one header that write the same rules (their end, Internet side and established reading are the first's: the key holds them). */
interface Group {
  targets: TargetReading[];
  direction: Direction;
  /** The terms this group renders, as indexes into the filter's terms (verbatim ones flagged). */
  terms: { index: number; verbatim: boolean }[];
  families: Family[];
  stateful: boolean;
}

export interface MapOptions {
  /** What the policy's names resolve through; undefined when no definitions folder was found. */
  naming: Naming | undefined;
  /** Today, for expiration dates. */
  today: Date;
  /** Lines of each file by the name its places give (the policy's and its includes'). */
  lines: ReadonlyMap<string, readonly string[]>;
}

export function mapCapirca(ast: PolicyAst, file: string, say: Say, opts: MapOptions): Ruleset {
  const chains = new Map<string, Chain>();
  const fileSpan: SourceSpan = { file, line: 1, column: 1 };
  const inbound = dispatchChain(TABLE, "inbound", fileSpan, "the policy's filters, by what they are applied to", false);
  const outbound = dispatchChain(TABLE, "outbound", fileSpan, "the policy's egress filters", false);
  inbound.implied = true;
  outbound.implied = true;
  chains.set(chainKey(TABLE, "inbound"), inbound);
  chains.set(chainKey(TABLE, "outbound"), outbound);
  const name = interfaceNamer();
  const hosts: string[] = [];
  const internet: string[] = [];
  let ruleCount = 0;
  let namingTold = false;
  /** Filters that return to a calling chain the policy does not hold: their return goes after every header's terms. */
  const returning: { chain: Chain; text: string; span: SourceSpan }[] = [];
  /** Zone pairs' lists by platform and pair, continued by each header that names the pair again. */
  const zonePairs = new Map<string, Chain>();
  const spanOf = (pos: Pos): SourceSpan => {
    const text = opts.lines.get(pos.file)?.[pos.line - 1];
    return { file: pos.file, line: pos.line, column: pos.column, ...(text !== undefined ? { text: text.replace(/\r$/, "") } : {}) };
  };

  ast.filters.forEach((filter) => {
    ruleCount += filter.terms.length;
    if (!filter.header) {
      const first = filter.terms[0];
      // (a fragment: a run, a diff or a hook reads it as part of a policy that includes it - src/cli/includer.ts)
      if (first) say("info", first.pos, "terms with no header before them: an include file's, read in the policies that include it", { unresolved: true });
      return;
    }
    const targets = filter.header.items.filter((i) => i.key === "target" && i.values.length > 0).map((i) => ({ item: i, reading: readTarget(i.values[0]!.text, i.values.slice(1).map((w) => w.text)) }));
    for (const it of filter.header.items) {
      if (it.key === "target" && it.values.length === 0) say("error", it.pos, "expected a platform after 'target::'");
      else if (it.key !== "target" && it.key !== "comment" && it.key !== "apply-groups" && it.key !== "apply-groups-except") say("warning", it.pos, `'${it.key}' is not a header keyword (target, comment): not read`);
    }
    if (targets.length === 0) {
      say("error", filter.header.pos, "the header names no target (target:: PLATFORM ...): no generator writes its terms");
      return;
    }
    for (const t of targets) if (t.reading.unknownPlatform) say("info", t.item.pos, `platform ${t.reading.platform} is not one fwlint knows the defaults of: read as an IPv4 filter, stateless, ending in a deny`);
    const stated = targets.find((t) => t.reading.direction !== undefined)?.reading.direction;
    const groups = new Map<string, Group>();
    for (const { item, reading } of targets) {
      const direction = reading.direction ?? stated ?? "inbound";
      if (reading.direction === undefined && stated === undefined && item === targets[0]!.item) {
        say("info", filter.header.pos, `the policy does not say which way filter ${reading.name || reading.platform} is applied: it is read as applied to arriving traffic`);
      }
      const terms: Group["terms"] = [];
      filter.terms.forEach((term, index) => {
        let rendered = rendersFor(term, reading.platform, opts.today);
        if (rendered === "yes" && reading.writtenFamilies && !panosWrites(term, reading.writtenFamilies, opts.naming)) rendered = "no";
        if (rendered !== "no") terms.push({ index, verbatim: rendered === "verbatim" });
      });
      // targets that differ in families only share a chain with the rules of every family (a
      // family's packets meet its own rules); state keeps only replies (the chain's is its targets' all)
      // (a zone pair's list is the device's own: kept apart per platform, continued by later headers)
      const key = JSON.stringify([direction, reading.end, reading.fromInternet, reading.matchesEstablished, terms, reading.zonePair ? `${reading.platform}-${reading.name}` : null]);
      const g = groups.get(key);
      if (g) {
        g.targets.push(reading);
        g.families = ([4, 6] as const).filter((f) => g.families.includes(f) || reading.families.includes(f));
        g.stateful &&= reading.stateful;
      } else groups.set(key, { targets: [reading], direction, terms, families: reading.families, stateful: reading.stateful });
    }
    // expired terms are told once
    for (const term of filter.terms) {
      const exp = term.items.find((i) => i.key === "expiration");
      const date = exp?.values[0] ? expirationDate(exp.values[0].text) : undefined;
      if (exp && exp.values[0] && date === undefined) say("error", exp.values[0].pos, `expected a date YYYY-MM-DD, found '${exp.values[0].text}'`);
      if (date !== undefined && date <= opts.today) say("info", exp!.pos, `term ${term.name} expired on ${exp!.values[0]!.text}: the generators leave it out`);
    }
    // each term's errors are told once, whatever the groups
    const told = new Set<string>();
    const sayOnce: Say = (severity, pos, message, extra) => {
      const k = `${pos.file}:${pos.line}:${pos.column}:${message}`;
      if (told.has(k)) return;
      told.add(k);
      say(severity, pos, message, extra);
    };
    for (const g of groups.values()) {
      const first = g.targets[0]!;
      const span = spanOf(filter.header.pos);
      const pairKey = first.zonePair ? `${first.platform}-${first.name}` : undefined;
      const continued = pairKey !== undefined ? zonePairs.get(pairKey) : undefined;
      const iface = continued?.name ?? name((pairKey ?? (first.name || `${first.platform}-filter`)).replace(/\s+/g, "_"));
      const titles = [...new Set(g.targets.map((t) => t.title ?? (t.name || `of ${t.platform}`)))];
      const label = first.zonePair ? `security policies ${first.title} (${first.platform})` : `filter ${titles.join(" / ")} (${g.targets.map((t) => t.platform).join(", ")})`;
      const chain: Chain = continued ?? {
        name: iface,
        table: TABLE,
        rules: [],
        policy: first.end === "accept" ? "accept" : "drop",
        policySpan: span,
        span,
        label,
        ...(first.end === "accept" ? { acceptText: `${label}: ${first.endText}` } : {}),
      };
      if (g.stateful && !continued) {
        chain.rules.push({ id: `${iface}#established`, conditions: [{ kind: "ctstate", states: ["established", "related"] }], action: { kind: "accept" }, span, comment: `${first.platform} keeps connection state: replies pass`, implied: true });
      }
      // (what Google Cloud does to egress whatever the rules say, as the GCP reader has it)
      if (first.byPriority && g.direction === "outbound" && !continued) chain.rules.push(...alwaysOnEgress(iface, span));
      for (const { index, verbatim } of first.byPriority ? byPriority(filter.terms, g.terms) : g.terms) {
        const term = filter.terms[index]!;
        const tspan = spanOf(term.pos);
        if (verbatim) {
          chain.rules.push({ id: `${iface}/${term.name}:${term.pos.line}`, conditions: [], action: { kind: "unknown", target: `verbatim ${first.platform} text` }, span: tspan, comment: term.name });
          sayOnce("warning", term.pos, `term ${term.name} is verbatim ${first.platform} text: fwlint does not read it, and what it decides is unknown`);
          continue;
        }
        const action = termAction(term, sayOnce);
        if (!action) continue;
        // (PAN-OS: a rule with no address is written with the filter family's `any` object)
        const addressless = wordsOf(term, "source-address").length === 0 && wordsOf(term, "destination-address").length === 0;
        const logs = term.items.some((i) => i.key === "logging" && !["false", "disable"].includes(i.values[0]?.text ?? ""));
        for (const family of g.families) {
          if (first.writtenFamilies && addressless && !first.writtenFamilies.includes(family)) continue;
          const conds = termConditions(term, family, first.matchesEstablished, opts.naming, sayOnce, () => {
            if (!namingTold) {
              namingTold = true;
              say("warning", term.pos, "no naming definitions folder (def/ with .net, .svc or .yaml files) was found beside the policy: the names its terms use are unknown");
            }
          });
          if (conds === undefined) continue;
          chain.rules.push({
            id: `${iface}/${term.name}:${term.pos.line}/ipv${family}`,
            conditions: [{ kind: "family", family }, ...conds],
            action,
            span: tspan,
            comment: term.name,
            ...(logs ? { logs: true as const } : {}),
          });
        }
      }
      if (continued) continue;
      if (first.end === "unknown") returning.push({ chain, text: first.endText, span });
      if (pairKey !== undefined) zonePairs.set(pairKey, chain);
      chains.set(chainKey(TABLE, iface), chain);
      (g.direction === "inbound" ? inbound : outbound).rules.push(targetJump(g.direction, iface, iface, span, true));
      hosts.push(iface);
      if (first.fromInternet) internet.push(iface);
    }
  });

  // What no term decides meets the platform's end (the chain's policy); a custom iptables chain
  // returns to its caller, which the policy does not hold: after every header's terms
  for (const { chain, text, span } of returning) {
    chain.rules.push({ id: `${chain.name}#end`, conditions: [], action: { kind: "unknown", target: "return to the calling chain" }, span, comment: text, implied: true });
  }

  return {
    format: "capirca",
    file,
    families: [4, 6],
    chains,
    pipelines: dispatchPipelines(TABLE),
    diagnostics: [],
    ruleCount,
    hosts,
    hostsKind: "filters",
    internetInterfaces: internet,
    interfaces: hosts,
  };
}

function expirationDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Whether a target of `platform` renders the term: "no", "yes", or "verbatim" (its own raw text). */
function rendersFor(term: TermAst, platform: string, today: Date): "no" | "yes" | "verbatim" {
  // (its syntax error is told; the generators would refuse the policy)
  if (term.broken) return "no";
  const words = (key: string) => term.items.filter((i) => i.key === key).flatMap((i) => i.values.map((v) => v.text));
  const only = words("platform");
  if (only.length > 0 && !only.includes(platform)) return "no";
  if (words("platform-exclude").includes(platform)) return "no";
  const exp = term.items.find((i) => i.key === "expiration")?.values[0];
  const date = exp ? expirationDate(exp.text) : undefined;
  if (date !== undefined && date <= today) return "no";
  if (words("option").includes("inactive")) return "no";
  // the SRX and PAN-OS generators skip established terms: the devices keep state themselves
  if ((platform === "srx" || platform === "paloalto") && words("option").some((o) => o === "established" || o === "tcp-established")) return "no";
  const verbatim = term.items.filter((i) => i.key === "verbatim");
  if (verbatim.length > 0) return verbatim.some((i) => i.values[0]?.text === platform) ? "verbatim" : "no";
  return "yes";
}

/**
 * GCE's order (the GCP reader's): by priority (`priority::`, else the API's 1000; a last term that
 * denies everything is the generator's default deny, at 65534), a deny before an allow at equal
 * priority, then as written.
 */
function byPriority<T extends { index: number }>(terms: readonly TermAst[], rendered: readonly T[]): T[] {
  const last = rendered[rendered.length - 1];
  const denies = (term: TermAst) => wordsOf(term, "action").some((w) => w.text === "deny" || w.text.startsWith("reject"));
  const matchesAll = (term: TermAst) => !term.items.some((i) => KNOWN_MATCH.has(i.key) || i.key in UNMODELLED || i.key === "option");
  const withPriority = rendered.map((t) => {
    const term = terms[t.index]!;
    const given = Number(wordsOf(term, "priority")[0]?.text ?? 1000);
    return { t, priority: t === last && denies(term) && matchesAll(term) ? 65534 : Number.isFinite(given) ? given : 1000 };
  });
  return sortByPriority(withPriority, (x) => denies(terms[x.t.index]!)).map((x) => x.t);
}

/**
 * Whether the PAN-OS generator writes the term into a filter of these families: an IPv4 (IPv6)
 * filter needs a source-destination pair of that family (`any` pairs with either) and no ICMP of
 * the other; a mixed one a pair of either family. Names that do not resolve leave it written.
 */
function panosWrites(term: TermAst, families: readonly Family[], naming: Naming | undefined): boolean {
  const present = (key: string): Set<Family> | "any" | undefined => {
    const words = wordsOf(term, key);
    if (words.length === 0) return "any";
    if (!naming) return undefined;
    const out = new Set<Family>();
    for (const w of words) {
      const r = naming.network(w.text);
      if (!r.ok) return undefined;
      if (r.value[4].length > 0) out.add(4);
      if (r.value[6].length > 0) out.add(6);
    }
    return out;
  };
  const src = present("source-address");
  const dst = present("destination-address");
  if (src === undefined || dst === undefined) return true;
  const pair = (f: Family) => (src === "any" || src.has(f)) && (dst === "any" || dst.has(f));
  const protocols = wordsOf(term, "protocol").map((w) => w.text);
  if (families.length === 2) return pair(4) || pair(6);
  const f = families[0]!;
  return !protocols.includes(f === 4 ? "icmpv6" : "icmp") && pair(f);
}

function termAction(term: TermAst, say: Say): Action | undefined {
  const items = term.items.filter((i) => i.key === "action");
  const words = items.flatMap((i) => i.values);
  if (words.length === 0) {
    const other = term.items.find((i) => i.key === "filter-term" || i.key === "encapsulate" || i.key === "routing-instance");
    if (other) return { kind: "unknown", target: `${other.key} ${other.values.map((v) => v.text).join(" ")}` };
    say("error", term.pos, `term ${term.name} has no action (action:: accept, deny, reject, reject-with-tcp-rst or next)`);
    return undefined;
  }
  const texts = new Set(words.map((w) => w.text));
  if (texts.size > 1) {
    say("error", words[1]!.pos, `term ${term.name} has more than one action (${[...texts].join(", ")})`);
    return undefined;
  }
  const w = words[0]!;
  switch (w.text) {
    case "accept":
      return { kind: "accept" };
    case "deny":
      return { kind: "drop" };
    case "reject":
      return { kind: "reject" };
    case "reject-with-tcp-rst":
      return { kind: "reject", with: "tcp-reset" };
    case "next":
      return { kind: "continue", target: "next" };
    default:
      say("error", w.pos, `expected accept, deny, reject, reject-with-tcp-rst or next, found '${w.text}'`);
      return undefined;
  }
}

function wordsOf(term: TermAst, key: string): Word[] {
  return term.items.filter((i) => i.key === key).flatMap((i) => i.values);
}

/**
 * The term's conditions for one family, past the family condition; undefined when the generators
 * leave the term out of that family's filter (or it cannot be read).
 */
function termConditions(term: TermAst, family: Family, matchesEstablished: boolean, naming: Naming | undefined, say: Say, noNaming: () => void): Condition[] | undefined {
  const conds: Condition[] = [];
  const restrict = wordsOf(term, "restrict-address-family")[0]?.text;
  if (restrict === "inet" && family !== 4) return undefined;
  if (restrict === "inet6" && family !== 6) return undefined;

  // addresses
  const unknownAddr = (key: string, words: Word[], why: string) => conds.push({ kind: "unknown", text: `${key}:: ${words.map((w) => w.text).join(" ")}`, reason: why });
  const addresses = (key: string): AddrRange[] | "none" | "unknown" | undefined => {
    const words = wordsOf(term, key);
    if (words.length === 0) return undefined;
    if (!naming) {
      noNaming();
      unknownAddr(key, words, "the naming definitions are not found");
      return "unknown";
    }
    const out: AddrRange[] = [];
    let any = false;
    for (const w of words) {
      const r = naming.network(w.text);
      if (!r.ok) {
        say("error", w.pos, r.why);
        unknownAddr(key, words, r.why);
        return "unknown";
      }
      if (r.value[4].length + r.value[6].length > 0) any = true;
      out.push(...r.value[family]);
    }
    if (!any) return "none";
    return out.length === 0 ? "none" : mergeAddrRanges(out);
  };
  for (const [key, field] of [["source-address", "src"], ["destination-address", "dst"]] as const) {
    const r = addresses(key);
    if (r === "none") return undefined;
    if (Array.isArray(r)) conds.push({ kind: "addr", field, family, ranges: r });
    const ex = addresses(key === "source-address" ? "source-exclude" : "destination-exclude");
    if (Array.isArray(ex) && ex.length > 0) conds.push({ kind: "addr", field, family, ranges: ex, negate: true });
  }
  const either = addresses("address");
  if (either === "none") return undefined;
  if (Array.isArray(either)) conds.push({ kind: "or", anyOf: [[{ kind: "addr", field: "src", family, ranges: either }], [{ kind: "addr", field: "dst", family, ranges: either }]] });
  const eitherEx = addresses("address-exclude");
  if (Array.isArray(eitherEx) && eitherEx.length > 0) {
    conds.push({ kind: "addr", field: "src", family, ranges: eitherEx, negate: true }, { kind: "addr", field: "dst", family, ranges: eitherEx, negate: true });
  }

  // protocols
  const protoWords = wordsOf(term, "protocol");
  const protos: number[] = [];
  for (const w of protoWords) {
    const n = protocolNumber(w.text);
    if (n === null || n === 0) {
      say("error", w.pos, `'${w.text}' is not a protocol name or number`);
      return undefined;
    }
    // icmp is IPv4's, icmpv6 IPv6's: the other family's filter leaves it out
    if ((n === 1 && family === 6) || (n === 58 && family === 4)) continue;
    if (!protos.includes(n)) protos.push(n);
  }
  if (protoWords.length > 0 && protos.length === 0) return undefined;
  const except = wordsOf(term, "protocol-except").map((w) => protocolNumber(w.text)).filter((n): n is number => n !== null);
  if (except.length > 0) conds.push({ kind: "proto", protos: except, negate: true });

  // ports, per protocol
  const ports = (key: string): Map<number, PortRange[]> | "unknown" | undefined => {
    const words = wordsOf(term, key);
    if (words.length === 0) return undefined;
    if (!naming) {
      noNaming();
      conds.push({ kind: "unknown", text: `${key}:: ${words.map((w) => w.text).join(" ")}`, reason: "the naming definitions are not found" });
      return "unknown";
    }
    const byProto = new Map<number, PortRange[]>();
    for (const w of words) {
      const r = naming.service(w.text);
      if (!r.ok) {
        say("error", w.pos, r.why);
        conds.push({ kind: "unknown", text: `${key}:: ${words.map((x) => x.text).join(" ")}`, reason: r.why });
        return "unknown";
      }
      for (const p of r.value as ServicePort[]) {
        const n = protocolNumber(p.protocol);
        if (n === null) continue;
        const list = byProto.get(n) ?? [];
        list.push([p.lo, p.hi]);
        byProto.set(n, list);
      }
    }
    return byProto;
  };
  const sport = ports("source-port");
  const dport = ports("destination-port");
  const anyPort = ports("port");
  const options = wordsOf(term, "option").map((w) => w.text);
  const established = options.includes("established") || options.includes("tcp-established");
  const hasPorts = [sport, dport, anyPort].some((p) => p instanceof Map);
  if (hasPorts && protos.length === 0) {
    say("error", term.pos, `term ${term.name} has ports but no protocol (the policy library refuses it)`);
    return undefined;
  }
  if (protos.length > 0) {
    const alternatives: Condition[][] = [];
    for (const p of protos) {
      const alt: Condition[] = [{ kind: "proto", protos: [p] }];
      if (hasPorts && !PORT_PROTOCOLS.has(p)) continue;
      /** Adds the protocol's ports of `m` (and `extra`); false when `m` has none of this protocol. */
      const add = (m: typeof sport, field: "sport" | "dport", extra?: PortRange): boolean => {
        if (!(m instanceof Map)) {
          if (extra) alt.push({ kind: "port", field, ranges: [extra] });
          return true;
        }
        const r = m.get(p);
        if (!r || r.length === 0) return false;
        alt.push({ kind: "port", field, ranges: extra ? [...r, extra] : r });
        return true;
      };
      // `established` on UDP: the policy library adds the high ports to the destination ports
      const high: PortRange | undefined = established && p === UDP ? [1024, 65535] : undefined;
      if (!add(sport, "sport") || !add(dport, "dport", high)) continue;
      if (anyPort instanceof Map) {
        const r = anyPort.get(p);
        if (!r) continue;
        alt.push({ kind: "or", anyOf: [[{ kind: "port", field: "sport", ranges: r }], [{ kind: "port", field: "dport", ranges: r }]] });
      }
      if (established && matchesEstablished && p === TCP) alt.push({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: ACK, comp: ACK }], [{ kind: "tcpflags", mask: RST, comp: RST }]] });
      if (options.includes("tcp-initial") || options.includes("initial")) {
        if (p !== TCP) continue;
        alt.push({ kind: "tcpflags", mask: SYN | ACK, comp: SYN });
      }
      if (options.includes("rst")) {
        if (p !== TCP) continue;
        alt.push({ kind: "tcpflags", mask: RST, comp: RST });
      }
      // ICMP types and codes
      if ((p === 1 || p === 58) && wordsOf(term, "icmp-type").length > 0) {
        const codes = wordsOf(term, "icmp-code").map((w) => Number(w.text));
        const types: Condition[][] = [];
        for (const w of wordsOf(term, "icmp-type")) {
          const t = ICMP_TYPES[family][w.text];
          if (t === undefined) {
            if (ICMP_TYPES[family === 4 ? 6 : 4][w.text] === undefined) say("error", w.pos, `'${w.text}' is not an ICMP${family === 6 ? "v6" : ""} type name of the policy language`);
            continue;
          }
          if (codes.length === 0) types.push([{ kind: "icmp", family, type: t }]);
          else for (const c of codes) types.push([{ kind: "icmp", family, type: t, codeLo: c, codeHi: c }]);
        }
        if (types.length === 0) continue;
        alt.push(types.length === 1 ? types[0]![0]! : { kind: "or", anyOf: types });
      }
      alternatives.push(alt);
    }
    if (alternatives.length === 0) {
      if (hasPorts) say("warning", term.pos, `term ${term.name}: no port of its services is of its protocols (${protoWords.map((w) => w.text).join(", ")}): it matches nothing`);
      return undefined;
    }
    conds.push(alternatives.length === 1 ? (alternatives[0]!.length === 1 ? alternatives[0]![0]! : { kind: "or", anyOf: alternatives }) : { kind: "or", anyOf: alternatives });
  } else if (established) {
    // no protocol: TCP replies (where the generator matches them), or UDP to a high port
    const tcp: Condition[] = [{ kind: "proto", protos: [TCP] }];
    if (matchesEstablished) tcp.push({ kind: "or", anyOf: [[{ kind: "tcpflags", mask: ACK, comp: ACK }], [{ kind: "tcpflags", mask: RST, comp: RST }]] });
    conds.push({ kind: "or", anyOf: [tcp, [{ kind: "proto", protos: [UDP] }, { kind: "port", field: "dport", ranges: [[1024, 65535]] }]] });
  }

  for (const o of wordsOf(term, "option")) {
    // (logging options: log-both, log_traffic_mode_all ...)
    if (["established", "tcp-established", "tcp-initial", "initial", "rst", "inactive"].includes(o.text) || NO_EFFECT_OPTIONS.has(o.text) || /^log/.test(o.text)) continue;
    if (o.text === "is-fragment") conds.push({ kind: "fragment" });
    else conds.push({ kind: "unknown", text: `option:: ${o.text}`, reason: `option ${o.text} is not modelled` });
  }
  for (const key of ["ttl", "hop-limit"]) {
    const w = wordsOf(term, key)[0];
    if (!w) continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(w.text);
    if (!m) {
      say("error", w.pos, `expected a number or a range N-M, found '${w.text}'`);
      return undefined;
    }
    // (hop-limit is IPv6's, ttl IPv4's: the generators write each for its family only)
    if ((key === "ttl" && family === 6) || (key === "hop-limit" && family === 4)) continue;
    conds.push({ kind: "ttl", ranges: [[Number(m[1]), Number(m[2] ?? m[1])]] });
  }
  for (const item of term.items) {
    const u = UNMODELLED[item.key];
    if (u) {
      conds.push({ kind: "unknown", text: `${item.key}:: ${item.values.map((v) => v.text).join(" ")}`, reason: u.reason, ...(u.ordinary !== undefined ? { ordinary: u.ordinary } : {}) });
      continue;
    }
    if (!NO_EFFECT.has(item.key) && !KNOWN_MATCH.has(item.key)) {
      say("warning", item.pos, `'${item.key}' is not a term keyword fwlint knows: not read`);
    }
  }
  return conds;
}

const KNOWN_MATCH = new Set([
  "source-address", "destination-address", "address", "source-exclude", "destination-exclude", "address-exclude", "protocol", "protocol-except",
  "source-port", "destination-port", "port", "icmp-type", "icmp-code", "ttl", "hop-limit",
]);

export type { FilterAst, Item };

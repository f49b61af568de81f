/**
 * Follows one concrete packet through a pipeline, rule by rule, and records every rule that
 * matched on the way: the explanation behind a verdict. Where a rule depends on a condition
 * fwlint does not model, both outcomes are followed.
 */
import type { TraceStep } from "../model/finding.js";
import { CT_STATES, placeRef, type Action, type Chain, type Family, type Pipeline, type Rule, type Ruleset, type SourceSpan, type Stage } from "../model/types.js";
import { DIM_COUNT, Dim, PORT_PROTOS } from "../space/dims.js";
import { familyMax, formatAddrRange, formatIP } from "../model/address.js";
import { PacketSet } from "../space/packet-set.js";
import { ProjectionList } from "../space/projections.js";
import { compileRule, compileRuleOnPath, ctIndex, ttlExpiryStage, dnatHolds, inboundDnatAssumption, isNotrack, keptDnatPorts, mayUntrack, markHolds, notrackTakes, markOnArrival, ordinaryMatches, ordinaryMisses, rewriteMark, sourceNatSeenLater, unknownsOnPath } from "./compile.js";
import { mapAddress } from "./nat-map.js";
import { verdictOfAll } from "../model/verdict-chains.js";

export interface TracePath {
  verdict: "accept" | "drop";
  steps: TraceStep[];
  /** The rule (or policy) that gave the final verdict. */
  decidedBy?: TraceStep;
  /** Unknown conditions assumed to match (or not) on this path. */
  assumptions: string[];
  /**
   * Every assumption is what ordinary traffic does (Condition unknown `ordinary`, or a draw per
   * connection): the path a stranger's connection takes.
   */
  ordinary: boolean;
  /** The packet as delivered (after DNAT). */
  delivered: bigint[];
  /** More paths existed than the tracer follows (MAX_PATHS): the verdict may not be the only one. */
  truncated?: boolean;
}

const MAX_PATHS = 16;
/** Set when a chain had more branches than MAX_PATHS; read by tracePacket (single-threaded). */
const cut = { paths: false };
/**
 * Where the trace being made should also lead (tracePacket's `deliveredTo`, single-threaded like
 * `cut`): a packet with this destination address and port. Past MAX_PATHS a chain goes on, for
 * at most `budget` more branches, keeping only outcomes that deliver there, and a stage keeps
 * those first: a load balancer with more endpoints than MAX_PATHS still shows the path to each.
 */
const wanted: { to: readonly bigint[] | undefined; budget: number } = { to: undefined, budget: 0 };
const WANTED_BUDGET = 1024;

/** Does a packet (as delivered, after DNAT) have the destination address and port of `to`? */
export function deliversTo(point: readonly bigint[], to: readonly bigint[]): boolean {
  return point[Dim.Dst] === to[Dim.Dst] && point[Dim.Dport] === to[Dim.Dport];
}
const MAX_DEPTH = 128;

interface State {
  point: bigint[];
  steps: TraceStep[];
  assumptions: string[];
  /** How many of `assumptions` are what ordinary traffic does (TracePath.ordinary): all of them, or not. */
  ordinaryAssumed?: number;
  /** The accept of the last filter stage passed: what let the packet through. */
  decisive?: TraceStep;
  /**
   * A DNAT (or REDIRECT) rewrote the packet on its way here (what `ct status dnat` asks); false
   * when one met it and left it as it was (the connection has its binding all the same).
   */
  dnatted?: boolean;
  /**
   * A rewrite chose an address the ruleset does not give (a REDIRECT's incoming interface's, a
   * MASQUERADE's outgoing one's) or one of a range: the dimension, the values it may still have
   * (the rules met since took some away on this path) and what chose them. `point` holds one.
   */
  chosen?: Choice;
  /** The packet before a source NAT rewrote it (the chains after it see the new source). */
  beforeSnat?: bigint[];
  /** The packet mark (see Flow.mark in evaluate.ts): undefined when not known. */
  mark?: number;
}

interface Choice {
  dim: Dim;
  /** The values the rewrite chooses from, and those this path still allows. */
  all: [bigint, bigint][];
  allowed: [bigint, bigint][];
  /** "the address file:3 redirects to (the incoming interface's)" */
  what: string;
}

type ChainOutcome =
  | { kind: "accept" | "drop"; state: State; by: TraceStep }
  | { kind: "return"; state: State };

/**
 * tracePacket for one ruleset, each packet traced once per pipeline: the checks trace the
 * witnesses of their findings, and several findings share one (ASA 20k bench: 412 traces, 94
 * different). The paths returned are shared: callers read them.
 */
export function tracerOf(ruleset: Ruleset): (pipeline: Pipeline, point: readonly bigint[], deliveredTo?: readonly bigint[]) => TracePath[] {
  const done = new Map<Pipeline, Map<string, TracePath[]>>();
  return (pipeline, point, deliveredTo) => {
    let byPoint = done.get(pipeline);
    if (!byPoint) done.set(pipeline, (byPoint = new Map()));
    const key = deliveredTo ? `${point.join(",")}>${deliveredTo[Dim.Dst]}:${deliveredTo[Dim.Dport]}` : point.join(",");
    let paths = byPoint.get(key);
    if (!paths) byPoint.set(key, (paths = tracePacket(ruleset, pipeline, point, deliveredTo)));
    return paths;
  };
}

/**
 * The paths `point` takes through `pipeline`; with `deliveredTo` (a packet after DNAT: its
 * destination address and port), the paths that deliver it there are followed even past the
 * number of paths kept otherwise (see `wanted`).
 */
export function tracePacket(ruleset: Ruleset, pipeline: Pipeline, point: readonly bigint[], deliveredTo?: readonly bigint[]): TracePath[] {
  const mark = markOnArrival(pipeline.kind);
  let states: State[] = [{ point: point.slice(), steps: [], assumptions: [], ...(mark !== undefined ? { mark } : {}) }];
  const finished: TracePath[] = [];
  let truncated = false;
  cut.paths = false;
  wanted.to = deliveredTo;
  wanted.budget = WANTED_BUDGET;
  const expiry = ttlExpiryStage(ruleset, pipeline);
  for (const [i, stage] of pipeline.stages.entries()) {
    const chain = ruleset.chains.get(stage.chain);
    if (i === expiry) {
      // routing drops what would reach 0
      const place = chain ?? { table: "", name: stage.chain, span: { file: "", line: 0, column: 0 } };
      const step: TraceStep = { table: place.table, chain: place.name, rule: "routing: the TTL (hop limit) expires, the packet is not forwarded", ...placeOf(place.span), action: "drop" };
      states = states.filter((st) => {
        if (st.point[Dim.Ttl]! > 1n) return true;
        finished.push(done("drop", { ...st, steps: [...st.steps, step] }, step));
        return false;
      });
    }
    if (!chain) continue;
    const next: State[] = [];
    const isNat = stage.role === "dstnat" || stage.role === "srcnat";
    for (const st of states) {
      // nat chains see a connection's first packet only, and no later nat chain of the hook once
      // one has rewritten its destination (the connection has its binding)
      if ((isNat && st.point[Dim.CtState] !== BigInt(ctIndex("new"))) || (stage.role === "dstnat" && st.dnatted !== undefined) || (stage.role === "srcnat" && st.beforeSnat)) {
        next.push(st);
        continue;
      }
      for (const o of runChain(ruleset, chain, st, 0, stage, pipeline)) {
        if (o.kind === "accept") next.push(stage.role === "filter" ? { ...o.state, decisive: o.by } : o.state);
        else if (o.kind === "drop") finished.push(done("drop", o.state, o.by));
        else if (chain.policy === undefined && chain.policySpan === undefined) {
          next.push(o.state); // a stage that only takes packets away passes the rest on, silently
        } else {
          const policy = chain.policy ?? "accept";
          // a device's default told as the device has it (Chain.acceptText), else the chain's policy
          const rule = policy === "accept" && chain.acceptText !== undefined ? chain.acceptText : `policy ${policy.toUpperCase()}`;
          const step: TraceStep = { table: chain.table, chain: chain.name, ...titleOf(chain), rule, ...placeOf(chain.policySpan ?? chain.span), action: policy };
          if (policy === "drop") finished.push(done("drop", { ...o.state, steps: [...o.state.steps, step] }, step));
          // A policy decides only what no earlier filter stage decided (an empty security table's
          // ACCEPT policy does not take the credit from the filter rule that accepted).
          else if (stage.role === "filter") next.push({ ...o.state, steps: [...o.state.steps, step], decisive: o.state.decisive ?? step });
          else next.push(o.state); // ACCEPT policies of raw/mangle/nat chains decide nothing
        }
      }
    }
    if (next.length > MAX_PATHS) {
      truncated = true;
      const to = wanted.to;
      if (to) next.sort((a, b) => Number(deliversTo(b.point, to)) - Number(deliversTo(a.point, to))); // (stable)
    }
    states = next.slice(0, MAX_PATHS);
  }
  for (const st of states) {
    const fallback = [...st.steps].reverse().find((s) => s.action === "accept" || s.action.startsWith("dnat"));
    finished.push(done("accept", st, st.decisive ?? fallback));
  }
  if (truncated || cut.paths) for (const f of finished) f.truncated = true;
  return finished;
}

function done(verdict: "accept" | "drop", st: State, by: TraceStep | undefined): TracePath {
  const chosen = st.chosen && choiceAssumption(st.chosen, familyOf(st.point));
  const assumptions = chosen === undefined ? st.assumptions : [...st.assumptions, chosen];
  return { verdict, steps: st.steps, decidedBy: by, assumptions, ordinary: assumptions.length === (st.ordinaryAssumed ?? 0), delivered: st.beforeSnat ?? st.point };
}

/** What a path assumes of a rewrite's choice, or undefined when the path takes every value it had. */
function choiceAssumption(c: Choice, family: Family): string | undefined {
  const missing = minusRanges(c.all, c.allowed);
  if (missing.length === 0) return undefined;
  const address = c.dim === Dim.Src || c.dim === Dim.Dst;
  const list = (rs: [bigint, bigint][]) => {
    const shown = rs.slice(0, 4).map(([lo, hi]) => (address ? formatAddrRange(lo, hi, family) : lo === hi ? `${lo}` : `${lo}-${hi}`));
    return rs.length > 4 ? `${shown.join(", ")}, ...` : shown.join(", ");
  };
  return missing.length < c.allowed.length ? `${c.what} is not ${list(missing)}` : `${c.what} is ${list(c.allowed)}`;
}

function familyOf(point: readonly bigint[]): Family {
  return point[Dim.Family] === 6n ? 6 : 4;
}

/** Keeps `point`'s value on `dim` when `allowed` holds it, else takes the first allowed one. */
function placeIn(point: bigint[], dim: Dim, allowed: readonly [bigint, bigint][]): void {
  const now = point[dim]!;
  if (!allowed.some(([lo, hi]) => lo <= now && now <= hi)) point[dim] = allowed[0]![0];
}

/**
 * The state whose `dim` a rewrite chose from [lo, hi] (`point`: the rewritten packet, `what`: what
 * chose it); a choice it had already is settled as an assumption on what it still allows.
 */
function withChoice(st: State, point: bigint[], dim: Dim, [lo, hi]: [bigint, bigint], what: string): State {
  const settled = st.chosen && choiceAssumption(st.chosen, familyOf(point));
  placeIn(point, dim, [[lo, hi]]);
  return { ...st, point, chosen: { dim, all: [[lo, hi]], allowed: [[lo, hi]], what }, assumptions: settled === undefined ? st.assumptions : [...st.assumptions, settled] };
}

/**
 * A rule's match for a packet with a rewrite's open choice: the state that matches (the choice
 * narrowed to the values the rule takes) and the one that does not, each undefined when no value
 * left leads there.
 */
function splitChoice(known: PacketSet, st: State): { inside?: State; outside?: State } {
  const c = st.chosen!;
  const spec: Partial<Record<Dim, [bigint, bigint][]>> = {};
  for (let d = 0; d < DIM_COUNT; d++) spec[d as Dim] = d === c.dim ? c.allowed : [[st.point[d]!, st.point[d]!]];
  const taken = known.intersect(PacketSet.box(spec)).valuesOf(c.dim);
  const left = minusRanges(c.allowed, taken);
  const narrowed = (allowed: [bigint, bigint][]): State | undefined => {
    if (allowed.length === 0) return undefined;
    const p = st.point.slice();
    placeIn(p, c.dim, allowed);
    return { ...st, point: p, chosen: { ...c, allowed } };
  };
  return { inside: narrowed(taken), outside: narrowed(left) };
}

/** Sorted disjoint ranges `a` without those of `b`. */
function minusRanges(a: readonly [bigint, bigint][], b: readonly [bigint, bigint][]): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const [lo0, hi] of a) {
    let lo = lo0;
    for (const [blo, bhi] of b) {
      if (bhi < lo || blo > hi) continue;
      if (blo > lo) out.push([lo, blo - 1n]);
      lo = bhi + 1n;
      if (lo > hi) break;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

/** The model rule each rule step was made for (steps of policies have none). */
const ruleOfStep = new WeakMap<TraceStep, Rule>();

/** The model rule a trace step is at; undefined for a chain's policy. */
export function stepRule(step: TraceStep): Rule | undefined {
  return ruleOfStep.get(step);
}

function stepOf(chain: Chain, rule: Rule, action: string): TraceStep {
  const step: TraceStep = {
    table: chain.table,
    chain: chain.name,
    ...titleOf(chain),
    rule: rule.span.text?.trim() ?? rule.id,
    ...placeOf(rule.span),
    action,
  };
  ruleOfStep.set(step, rule);
  return step;
}

/** The chain's own name on its device, for a step (see TraceStep.title). */
function titleOf(chain: Chain): Pick<TraceStep, "title"> {
  return chain.label !== undefined ? { title: chain.label } : {};
}

/** Where a step's rule or policy is written. */
function placeOf(span: SourceSpan): Pick<TraceStep, "file" | "line" | "column" | "label"> {
  return { line: span.line, column: span.column, ...(span.label !== undefined ? { label: span.label } : {}), file: span.file };
}

/** Per chain, its rules' matches with their hulls (a chain belongs to one ruleset). */
const chainHulls = new WeakMap<Chain, ProjectionList<Rule>>();

/**
 * A chain's rules with their matches' projections and a range index (ProjectionList), kept per
 * chain: what a trace walks long chains by, and what finds the earlier rules that may meet a set.
 */
export function hullsOf(ruleset: Ruleset, chain: Chain): ProjectionList<Rule> {
  let h = chainHulls.get(chain);
  if (h === undefined) {
    chainHulls.set(chain, (h = new ProjectionList<Rule>()));
    for (const r of chain.rules) h.add(r, compileRule(r, ruleset.families).known);
  }
  return h;
}

function runChain(ruleset: Ruleset, chain: Chain, start: State, depth: number, stage: Stage, pipeline: Pipeline): ChainOutcome[] {
  if (depth > MAX_DEPTH) return [{ kind: "drop", state: start, by: { table: chain.table, chain: chain.name, rule: "jump loop", line: chain.span.line, file: chain.span.file, action: "drop" } }];
  const outcomes: ChainOutcome[] = [];
  // Each pending entry: a state and the index of the next rule to test.
  const pending: { st: State; i: number }[] = [{ st: start, i: 0 }];
  // Long chains: most rules are told apart from the packet by their hulls alone.
  const hulls = chain.rules.length >= 32 ? hullsOf(ruleset, chain) : undefined;
  let hullPoint: bigint[] | undefined;
  let hullChoice: Choice | undefined;
  let rounded: Float64Array = new Float64Array(0);
  /** In a long chain, the rules that may hold the packet as it is now (ProjectionList.mayContainAny). */
  let candidates: Uint32Array | undefined;
  while (pending.length > 0) {
    if (outcomes.length >= MAX_PATHS) {
      cut.paths = true; // branches left unexplored
      if (!wanted.to || wanted.budget <= 0) break;
      wanted.budget--; // on, for the paths the caller asks about only (kept below)
    }
    const { st, i } = pending.pop()!;
    let cur = st;
    let idx = i;
    let ended = false;
    while (idx < chain.rules.length) {
      if (hulls) {
        if (hullPoint !== cur.point || hullChoice !== cur.chosen) {
          const c = (hullChoice = cur.chosen);
          rounded = ProjectionList.pointHull((hullPoint = cur.point), c && { dim: c.dim, lo: c.allowed[0]![0], hi: c.allowed[c.allowed.length - 1]![1] });
          candidates = hulls.mayContainAny(rounded);
        }
        if (candidates) {
          idx = hulls.nextOf(candidates, idx);
          if (idx >= chain.rules.length) break;
        }
        if (!hulls.mayContain(idx, rounded)) {
          idx++;
          continue;
        }
      }
      const rule = chain.rules[idx]!;
      idx++;
      const m = compileRuleOnPath(rule, ruleset, pipeline.kind, stage);
      if (cur.chosen === undefined) {
        if (!m.known.has(cur.point)) continue;
      } else {
        // the rule may take some of the values a rewrite could have chosen: follow both
        const { inside, outside } = splitChoice(m.known, cur);
        if (inside === undefined) continue;
        if (outside !== undefined) pending.push({ st: outside, i: idx });
        cur = inside;
      }
      // `ct status dnat`: whether a DNAT on this packet's path so far rewrote it
      if (m.dnat.length > 0 && !dnatHolds(m, cur.dnatted === true)) continue;
      // the packet mark, as the rules on its path so far left it
      if (m.marks.length > 0 && cur.mark !== undefined && !markHolds(m, cur.mark)) continue;
      const unknowns = unknownsOnPath(m, pipeline.kind, stage);
      if (unknowns === null) continue;
      const open = [...unknowns, ...(cur.mark === undefined ? m.marks : [])];
      if (open.length > 0 && (rule.action.kind !== "continue" || rule.setMark !== undefined || mayUntrack(rule))) {
        const what = open.map((u) => u.text).join(", ");
        const ordinary = (yes: boolean) => (cur.ordinaryAssumed ?? 0) + (yes ? 1 : 0);
        pending.push({ st: { ...cur, assumptions: [...cur.assumptions, `not ${what} (${placeRef(rule.span)})`], ordinaryAssumed: ordinary(ordinaryMisses(open)) }, i: idx });
        cur = { ...cur, assumptions: [...cur.assumptions, `${what} (${placeRef(rule.span)})`], ordinaryAssumed: ordinary(ordinaryMatches(open)) };
      }
      if (rule.setMark !== undefined) {
        const { mark: _old, ...rest } = cur;
        const mark = rewriteMark(cur.mark, rule.setMark);
        cur = mark === undefined ? rest : { ...rest, mark };
      }
      const res = act(ruleset, chain, rule, rule.action, cur, depth, stage, pipeline);
      if (res.goOn.length > 0) {
        cur = res.goOn[0]!;
        for (const extra of res.goOn.slice(1)) pending.push({ st: extra, i: idx });
        outcomes.push(...res.outcomes);
        continue;
      }
      outcomes.push(...res.outcomes);
      ended = true;
      break;
    }
    if (!ended) outcomes.push({ kind: "return", state: cur });
  }
  const to = wanted.to;
  if (to && outcomes.length > MAX_PATHS) return [...outcomes.slice(0, MAX_PATHS), ...outcomes.slice(MAX_PATHS).filter((o) => deliversTo(o.state.point, to))];
  return outcomes;
}

function act(
  ruleset: Ruleset,
  chain: Chain,
  rule: Rule,
  action: Action,
  st: State,
  depth: number,
  stage: Stage,
  pipeline: Pipeline,
): { outcomes: ChainOutcome[]; goOn: State[] } {
  const add = (a: string): State => ({ ...st, steps: [...st.steps, stepOf(chain, rule, a)] });
  switch (action.kind) {
    case "accept":
    case "drop": {
      const s = add(action.kind);
      return { outcomes: [{ kind: action.kind, state: s, by: s.steps[s.steps.length - 1]! }], goOn: [] };
    }
    case "reject": {
      const s = add("reject");
      return { outcomes: [{ kind: "drop", state: s, by: s.steps[s.steps.length - 1]! }], goOn: [] };
    }
    case "return":
      return { outcomes: [{ kind: "return", state: add("return") }], goOn: [] };
    case "continue": {
      const s = add(action.target.toLowerCase());
      if (!isNotrack(action.target) || !notrackTakes(stage, CT_STATES[Number(s.point[Dim.CtState])]!)) return { outcomes: [], goOn: [s] };
      // (a point of its own: the way past an uncertain notrack holds the packet as it was)
      const point = s.point.slice();
      point[Dim.CtState] = BigInt(ctIndex("untracked"));
      return { outcomes: [], goOn: [{ ...s, point }] };
    }
    case "jump":
    case "goto": {
      const target = ruleset.chains.get(`${chain.table}/${action.chain}`);
      if (!target) return { outcomes: [], goOn: [st] };
      const s = add(`${action.kind} ${action.chain}`);
      const sub = runChain(ruleset, target, s, depth + 1, stage, pipeline);
      const outcomes: ChainOutcome[] = [];
      const goOn: State[] = [];
      // a chain that gives every packet entering it one verdict (log, then accept) decides nothing
      // itself: the jump to it does (see verdict-chains.ts)
      const jumpStep = verdictOfAll(target) !== undefined ? s.steps[s.steps.length - 1]! : undefined;
      for (const o of sub) {
        if (o.kind !== "return") outcomes.push(jumpStep ? { ...o, by: jumpStep } : o);
        else if (action.kind === "jump") goOn.push(o.state);
        else outcomes.push(o);
      }
      return { outcomes, goOn };
    }
    case "dnat": {
      if (action.to.addr === undefined && pipeline.kind === "forward") {
        const s = add("redirect (delivered locally, not forwarded)");
        return { outcomes: [{ kind: "drop", state: s, by: s.steps[s.steps.length - 1]! }], goOn: [] };
      }
      const p = st.point.slice();
      const to = action.to;
      const family = familyOf(p);
      if (to.addr) p[Dim.Dst] = mapAddress(to, p[Dim.Dst]!) ?? to.addr.lo;
      // a port already inside the range may be kept (keptDnatPorts); another is one of the range
      const ports = to.ports && PORT_PROTOS.includes(Number(p[Dim.Proto])) ? to.ports : undefined;
      const keeps = keptDnatPorts(to);
      const portKept = ports !== undefined && keeps !== undefined && p[Dim.Dport]! >= BigInt(keeps[0]) && p[Dim.Dport]! <= BigInt(keeps[1]);
      if (ports && !portKept) p[Dim.Dport] = BigInt(ports[0]);
      // a DNAT that changes nothing leaves the connection unmarked (`ct status dnat` does not hold)
      const moved = to.addr === undefined || p[Dim.Dst] !== st.point[Dim.Dst] || p[Dim.Dport] !== st.point[Dim.Dport];
      let s: State = { ...add(`dnat to ${describeRewrite(to.addr ? p[Dim.Dst] : undefined, ports ? Number(p[Dim.Dport]) : to.ports?.[0], family === 6)}`), point: p, dnatted: moved };
      // Which address of a range (chosen by a hash of the connection), and which port of a range, the
      // packet gets is a choice: the rules after it may take some values and not others.
      const addrChoice = to.addr === undefined || (!to.map && to.addr.hi > to.addr.lo);
      if (to.addr === undefined) s = withChoice(s, p, Dim.Dst, [0n, familyMax(family)], `the address ${placeRef(rule.span)} redirects to (the incoming interface's)`);
      else if (addrChoice) s = withChoice(s, p, Dim.Dst, [to.addr.lo, to.addr.hi], `the destination ${placeRef(rule.span)} takes from ${formatAddrRange(to.addr.lo, to.addr.hi, family)}`);
      if (ports && !portKept && ports[1] > ports[0]) {
        const what = `the port ${placeRef(rule.span)} takes from ${ports[0]}-${ports[1]}`;
        // one choice is followed at a time: with this rule's address chosen too, the port is taken as the first
        s = addrChoice ? { ...s, assumptions: [...s.assumptions, `${what} is ${ports[0]}`] } : withChoice(s, p, Dim.Dport, [BigInt(ports[0]), BigInt(ports[1])], what);
      }
      const local = inboundDnatAssumption(pipeline.kind, action.to, rule);
      if (local !== undefined) {
        // Delivered here only if the new destination is this host's; otherwise routed away from the input path.
        const by = s.steps[s.steps.length - 1]!;
        return {
          outcomes: [
            { kind: "accept", state: { ...s, assumptions: [...s.assumptions, local] }, by },
            { kind: "drop", state: { ...s, point: st.point, assumptions: [...s.assumptions, `not: ${local}`] }, by },
          ],
          goOn: [],
        };
      }
      return { outcomes: [{ kind: "accept", state: s, by: s.steps[s.steps.length - 1]! }], goOn: [] };
    }
    case "snat": {
      let s = add(action.target.toLowerCase());
      if (sourceNatSeenLater(ruleset, pipeline, pipeline.stages.indexOf(stage))) {
        // the chains after it on the hook see the new source
        const p = st.point.slice();
        const to = action.to;
        s = { ...s, beforeSnat: st.point };
        if (to.ports && PORT_PROTOS.includes(Number(p[Dim.Proto]))) p[Dim.Sport] = BigInt(to.ports[0]);
        // a 1:1 mapping or one address decides the new source; a range or the interface's address is a choice
        const fixed = to.map ? mapAddress(to, p[Dim.Src]!) : to.addr && to.addr.lo === to.addr.hi ? to.addr.lo : undefined;
        if (fixed !== undefined) {
          p[Dim.Src] = fixed;
          s = { ...s, point: p };
        } else {
          const family = familyOf(p);
          const range: [bigint, bigint] = to.addr ? [to.addr.lo, to.addr.hi] : [0n, familyMax(family)];
          const what = to.addr ? `the source ${placeRef(rule.span)} takes from ${formatAddrRange(range[0], range[1], family)}` : `the address ${placeRef(rule.span)} masquerades as (the outgoing interface's)`;
          s = withChoice(s, p, Dim.Src, range, what);
        }
      }
      return { outcomes: [{ kind: "accept", state: s, by: s.steps[s.steps.length - 1]! }], goOn: [] };
    }
    case "unknown": {
      const s = add(`${action.target} (decided outside the ruleset)`);
      const by = s.steps[s.steps.length - 1]!;
      return {
        outcomes: [
          { kind: "accept", state: { ...s, assumptions: [...s.assumptions, `${action.target} accepts`] }, by },
          { kind: "drop", state: { ...s, assumptions: [...s.assumptions, `${action.target} drops`] }, by },
        ],
        goOn: [],
      };
    }
  }
}

function describeRewrite(addr: bigint | undefined, port: number | undefined, v6: boolean): string {
  const a = addr === undefined ? "this host" : formatIP(addr, v6 ? 6 : 4);
  return port === undefined ? a : v6 && addr !== undefined ? `[${a}]:${port}` : `${a}:${port}`;
}

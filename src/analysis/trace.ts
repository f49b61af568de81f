/**
 * Follows one concrete packet through a pipeline, rule by rule, and records every rule that
 * matched on the way: the explanation behind a verdict. Where a rule depends on a condition
 * fwlint does not model, both outcomes are followed.
 */
import type { TraceStep } from "../model/finding.js";
import { placeRef, type Action, type Chain, type Family, type Pipeline, type Rule, type Ruleset, type SourceSpan, type Stage } from "../model/types.js";
import { DIM_COUNT, Dim, PORT_PROTOS } from "../space/dims.js";
import { familyMax, formatAddrRange, formatIP } from "../model/address.js";
import { PacketSet } from "../space/packet-set.js";
import { ProjectionList } from "../space/projections.js";
import { compileRule, ctIndex, dnatHolds, inboundDnatAssumption, isNotrack, unknownsOnPath } from "./compile.js";
import { mapAddress } from "./nat-map.js";

export interface TracePath {
  verdict: "accept" | "drop";
  steps: TraceStep[];
  /** The rule (or policy) that gave the final verdict. */
  decidedBy?: TraceStep;
  /** Unknown conditions assumed to match (or not) on this path. */
  assumptions: string[];
  /** The packet as delivered (after DNAT). */
  delivered: bigint[];
  /** More paths existed than the tracer follows (MAX_PATHS): the verdict may not be the only one. */
  truncated?: boolean;
}

const MAX_PATHS = 16;
/** Set when a chain had more branches than MAX_PATHS; read by tracePacket (single-threaded). */
const cut = { paths: false };
const MAX_DEPTH = 128;

interface State {
  point: bigint[];
  steps: TraceStep[];
  assumptions: string[];
  /** The accept of the last filter stage passed: what let the packet through. */
  decisive?: TraceStep;
  /** A DNAT (or REDIRECT) rewrote the packet on its way here (what `ct status dnat` asks). */
  dnatted?: boolean;
  /**
   * A REDIRECT sent the packet to this host's address on its incoming interface, which the
   * ruleset does not give: the destinations it may still have (the rules met since took some
   * away on this path), and the REDIRECT's place. `point` holds one of them.
   */
  hostDst?: { allowed: [bigint, bigint][]; by: string };
}

type ChainOutcome =
  | { kind: "accept" | "drop"; state: State; by: TraceStep }
  | { kind: "return"; state: State };

/**
 * tracePacket for one ruleset, each packet traced once per pipeline: the checks trace the
 * witnesses of their findings, and several findings share one (ASA 20k bench: 412 traces, 94
 * different). The paths returned are shared: callers read them.
 */
export function tracerOf(ruleset: Ruleset): (pipeline: Pipeline, point: readonly bigint[]) => TracePath[] {
  const done = new Map<Pipeline, Map<string, TracePath[]>>();
  return (pipeline, point) => {
    let byPoint = done.get(pipeline);
    if (!byPoint) done.set(pipeline, (byPoint = new Map()));
    const key = point.join(",");
    let paths = byPoint.get(key);
    if (!paths) byPoint.set(key, (paths = tracePacket(ruleset, pipeline, point)));
    return paths;
  };
}

export function tracePacket(ruleset: Ruleset, pipeline: Pipeline, point: readonly bigint[]): TracePath[] {
  let states: State[] = [{ point: point.slice(), steps: [], assumptions: [] }];
  const finished: TracePath[] = [];
  let truncated = false;
  cut.paths = false;
  for (const stage of pipeline.stages) {
    const chain = ruleset.chains.get(stage.chain);
    if (!chain) continue;
    const next: State[] = [];
    const isNat = stage.role === "dstnat" || stage.role === "srcnat";
    for (const st of states) {
      // nat chains see a connection's first packet only, and no later nat chain of the hook once
      // one has rewritten its destination (the connection has its binding)
      if ((isNat && st.point[Dim.CtState] !== BigInt(ctIndex("new"))) || (stage.role === "dstnat" && st.dnatted)) {
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
          const step: TraceStep = { table: chain.table, chain: chain.name, rule: `policy ${policy.toUpperCase()}`, ...placeOf(chain.policySpan ?? chain.span), action: policy };
          if (policy === "drop") finished.push(done("drop", { ...o.state, steps: [...o.state.steps, step] }, step));
          // A policy decides only what no earlier filter stage decided (an empty security table's
          // ACCEPT policy does not take the credit from the filter rule that accepted).
          else if (stage.role === "filter") next.push({ ...o.state, steps: [...o.state.steps, step], decisive: o.state.decisive ?? step });
          else next.push(o.state); // ACCEPT policies of raw/mangle/nat chains decide nothing
        }
      }
    }
    if (next.length > MAX_PATHS) truncated = true;
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
  const host = st.hostDst && hostDstAssumption(st.hostDst, st.point[Dim.Family] === 6n ? 6 : 4);
  const assumptions = host === undefined ? st.assumptions : [...st.assumptions, host];
  return { verdict, steps: st.steps, decidedBy: by, assumptions, delivered: st.point };
}

/** What a path assumes of the address a REDIRECT chose, or undefined when any address takes it. */
function hostDstAssumption(h: NonNullable<State["hostDst"]>, family: Family): string | undefined {
  const all: [bigint, bigint][] = [[0n, familyMax(family)]];
  const missing = minusRanges(all, h.allowed);
  if (missing.length === 0) return undefined;
  const list = (rs: [bigint, bigint][]) => {
    const shown = rs.slice(0, 4).map(([lo, hi]) => formatAddrRange(lo, hi, family));
    return rs.length > 4 ? `${shown.join(", ")}, ...` : shown.join(", ");
  };
  const what = `the address ${h.by} redirects to (the incoming interface's)`;
  return missing.length < h.allowed.length ? `${what} is not ${list(missing)}` : `${what} is ${list(h.allowed)}`;
}

/**
 * A rule's match for a packet whose destination is the REDIRECT's unknown choice: the state that
 * matches (its destination narrowed to the addresses the rule takes) and the one that does not,
 * each undefined when no remaining address leads there.
 */
function splitHostDst(known: PacketSet, st: State): { inside?: State; outside?: State } {
  const h = st.hostDst!;
  const spec: Partial<Record<Dim, [bigint, bigint][]>> = {};
  for (let d = 0; d < DIM_COUNT; d++) spec[d as Dim] = d === Dim.Dst ? h.allowed : [[st.point[d]!, st.point[d]!]];
  const taken = known.intersect(PacketSet.box(spec)).valuesOf(Dim.Dst);
  const left = minusRanges(h.allowed, taken);
  const narrowed = (allowed: [bigint, bigint][]): State | undefined => {
    if (allowed.length === 0) return undefined;
    const p = st.point.slice();
    const now = p[Dim.Dst]!;
    if (!allowed.some(([lo, hi]) => lo <= now && now <= hi)) p[Dim.Dst] = allowed[0]![0];
    return { ...st, point: p, hostDst: { ...h, allowed } };
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

function stepOf(chain: Chain, rule: Rule, action: string): TraceStep {
  return {
    table: chain.table,
    chain: chain.name,
    rule: rule.span.text?.trim() ?? rule.id,
    ...placeOf(rule.span),
    action,
  };
}

/** Where a step's rule or policy is written. */
function placeOf(span: SourceSpan): Pick<TraceStep, "file" | "line" | "column" | "label"> {
  return { line: span.line, column: span.column, ...(span.label !== undefined ? { label: span.label } : {}), file: span.file };
}

/** Per chain, its rules' matches with their hulls (a chain belongs to one ruleset). */
const chainHulls = new WeakMap<Chain, ProjectionList<Rule>>();

function hullsOf(ruleset: Ruleset, chain: Chain): ProjectionList<Rule> {
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
  let rounded: Float64Array = new Float64Array(0);
  while (pending.length > 0) {
    if (outcomes.length >= MAX_PATHS) {
      cut.paths = true; // branches left unexplored
      break;
    }
    const { st, i } = pending.pop()!;
    let cur = st;
    let idx = i;
    let ended = false;
    while (idx < chain.rules.length) {
      const rule = chain.rules[idx]!;
      idx++;
      if (hulls && cur.hostDst === undefined) {
        if (hullPoint !== cur.point) rounded = ProjectionList.pointHull((hullPoint = cur.point));
        if (!hulls.mayContain(idx - 1, rounded)) continue;
      }
      const m = compileRule(rule, ruleset.families);
      if (cur.hostDst === undefined) {
        if (!m.known.has(cur.point)) continue;
      } else {
        // the rule may take some of the addresses the REDIRECT could have chosen: follow both
        const { inside, outside } = splitHostDst(m.known, cur);
        if (inside === undefined) continue;
        if (outside !== undefined) pending.push({ st: outside, i: idx });
        cur = inside;
      }
      // `ct status dnat`: whether a DNAT on this packet's path so far rewrote it
      if (m.dnat.length > 0 && !dnatHolds(m, cur.dnatted === true)) continue;
      const unknowns = unknownsOnPath(m, pipeline.kind, stage);
      if (unknowns === null) continue;
      if (unknowns.length > 0 && rule.action.kind !== "continue") {
        const what = unknowns.map((u) => u.text).join(", ");
        pending.push({ st: { ...cur, assumptions: [...cur.assumptions, `not ${what} (${placeRef(rule.span)})`] }, i: idx });
        cur = { ...cur, assumptions: [...cur.assumptions, `${what} (${placeRef(rule.span)})`] };
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
      if (stage.role === "raw" && isNotrack(action.target)) s.point[Dim.CtState] = BigInt(ctIndex("untracked"));
      return { outcomes: [], goOn: [s] };
    }
    case "jump":
    case "goto": {
      const target = ruleset.chains.get(`${chain.table}/${action.chain}`);
      if (!target) return { outcomes: [], goOn: [st] };
      const s = add(`${action.kind} ${action.chain}`);
      const sub = runChain(ruleset, target, s, depth + 1, stage, pipeline);
      const outcomes: ChainOutcome[] = [];
      const goOn: State[] = [];
      for (const o of sub) {
        if (o.kind !== "return") outcomes.push(o);
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
      if (action.to.addr) p[Dim.Dst] = mapAddress(action.to, p[Dim.Dst]!) ?? action.to.addr.lo;
      if (action.to.ports && PORT_PROTOS.includes(Number(p[Dim.Proto]))) p[Dim.Dport] = BigInt(action.to.ports[0]);
      const s: State = { ...add(`dnat to ${describeRewrite(action.to.addr ? p[Dim.Dst] : undefined, action.to.ports?.[0], p[Dim.Family] === 6n)}`), point: p, dnatted: true };
      if (action.to.addr === undefined) s.hostDst = { allowed: [[0n, familyMax(p[Dim.Family] === 6n ? 6 : 4)]], by: placeRef(rule.span) };
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
      const s = add(action.target.toLowerCase());
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

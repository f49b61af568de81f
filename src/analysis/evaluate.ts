/**
 * Exact evaluation of a pipeline over sets of packets: which packets reach the end of the
 * pipeline accepted.
 *
 * A flow is a set of packets that has so far taken the same decisions. Rules split flows: the
 * part a rule matches takes the rule's action, the rest goes on. A rule with a condition fwlint
 * does not model (an Unknown) splits its part both ways, and both copies are marked uncertain.
 * NAT rewrites are tracked so that accepted packets are reported as they arrived (original)
 * and as they were delivered (after DNAT).
 */
import { CT_STATES, placeRef, type Action, type Chain, type Condition, type Diagnostic, type Family, type NatRewrite, type Pipeline, type PipelineKind, type Rule, type Ruleset, type Stage } from "../model/types.js";
import { Dim, PORT_PROTOS, ifaceToValue } from "../space/dims.js";
import { familyMax } from "../model/address.js";
import { PacketSet } from "../space/packet-set.js";
import { AnalysisLimitError, nodesCreated } from "../space/budget.js";
import { flatPiecesHeld } from "../space/flat-sets.js";
import { intersectFactor, minusFactored, unionFactored } from "../space/factored.js";
import { Projections } from "../space/projections.js";
import { onResetCaches } from "../space/idd.js";
import { UnionStack } from "../space/union-stack.js";
import { type MappedBlock, mappedBlocks } from "./nat-map.js";
import { type CompiledMatch, type OpenCondition, compileRuleOnPath, ctIndex, dnatHolds, inboundDnatAssumption, isNotrack, keptDnatPorts, mayUntrack, markHolds, notrackTakes, markOnArrival, observedMarkBits, ordinaryMatches, ordinaryMisses, ordinaryNeverMatches, ordinaryNeverMisses, rewriteMark, sourceNatSeenLater, ttlAfterRouting, ttlExpiryStage, unknownsOnPath } from "./compile.js";
import { groupedDigits } from "../model/digits.js";
import { canDrop } from "../model/verdict-chains.js";

/**
 * One rewrite of the packets on their way: a NAT step, or a notrack's (`untracks`). The packets
 * before it and the dimensions it rewrote.
 */
interface NatFrame {
  before: PacketSet;
  dims: Dim[];
  /** The DNAT or SNAT rule (see isSourceNat, isRedirect), or the notrack rule. */
  rule: Rule;
  /**
   * A raw-table notrack made the packets untracked: the filter chains after it see connection
   * state UNTRACKED, but the packets arrived as they were - a stranger's first packet is a new
   * connection's - and are told so (AcceptedRegion.original and .delivered are before it).
   */
  untracks?: true;
  /**
   * A DNAT that left these packets as they were (they were sent to its one target already): the
   * connection has its binding, but the kernel does not mark it DNATed (`ct status dnat`).
   */
  identity?: true;
  /**
   * The rewrite chose its value from what the ruleset does not give (a REDIRECT's or MASQUERADE's
   * interface address) or from a range: `set` holds every choice, and `assumptions` name it (see
   * chosenSure).
   */
  choice?: { set: PacketSet; assumptions: string[] };
  /** A 1:1 mapping of `shiftDim` (one of `dims`): how each block moved. */
  shifts?: MappedBlock[];
  shiftDim?: Dim;
}

/**
 * Source NAT (SNAT, MASQUERADE), seen only by the chains after it on the hook: the packets are
 * reported as they were before it (AcceptedRegion.delivered is after DNAT, before SNAT).
 */
function isSourceNat(n: NatFrame): boolean {
  return n.rule.action.kind === "snat";
}

/** REDIRECT: delivered to the host itself, so never forwarded. */
function isRedirect(n: NatFrame): boolean {
  return n.rule.action.kind === "dnat" && n.rule.action.to.addr === undefined;
}

/** A destination NAT that changed the packet: what `ct status dnat` asks, and what findings name. */
function rewroteDst(n: NatFrame): boolean {
  return n.rule.action.kind === "dnat" && !n.identity;
}

interface Flow {
  set: PacketSet;
  /**
   * A small set known to hold `set` - the match of the jump that led to the chain which returned
   * this flow: a rule that does not meet it does not meet the flow, which is told by a walk over
   * two rule-sized sets (see runChain). Flows joined or rewritten lose it.
   */
  within?: PacketSet;
  /**
   * Kept apart (`within`) past a rule with an unmodelled condition of the chain being run, not
   * returned by a jumped-to chain (see Evaluator.boundFates): cleared where a jump returns the flow
   * and, with its bound, as it leaves the stage.
   */
  apartPastUnknown?: true;
  /** Flows kept apart that were joined into this one, as a power of apartFanout (see compact). */
  apartLevel?: number;
  certain: boolean;
  nat: readonly NatFrame[];
  /** Unknown conditions this flow's fate depends on. */
  assumptions: readonly string[];
  /**
   * Uncertain only by unknown conditions that ordinary traffic decides the way this flow took
   * them, or that are drawn per connection (see AcceptedRegion.ordinary). Set (with ordinaryAs)
   * where a flow turns or stays uncertain; absent on everything else, so that a flow made
   * uncertain in any other way is not counted as ordinary.
   */
  ordinary?: true;
  /**
   * Ordinary traffic never takes this flow: on its way it matched an unknown condition that
   * ordinary traffic never satisfies (a test for broadcasts, "sent by an instance with this AWS
   * security group"), or missed one it always satisfies. Strangers' connections do not reach what
   * it reaches (see AcceptedRegion.extraordinary).
   */
  extraordinary?: true;
  /**
   * The packet mark in the bits rules test (see Evaluator.observedMarks): as the path starts
   * (markOnArrival), then as the rules that set it leave it (Rule.setMark); undefined when not
   * known (what a local process sends, a mark copied from the connection), and then a test of it
   * is an unknown condition.
   */
  mark?: number;
  /**
   * The flow is `set` ∩ `factor` (see largeFilter): the packets that passed large set rules, such
   * as a blocklist, kept aside inside a chain instead of being intersected into every later rule's
   * sets. Only runChain's flows have one; it is intersected in before a rewrite (DNAT, notrack)
   * and where the chain's outcomes leave the stage, before anything else sees them.
   */
  factor?: PacketSet;
  /**
   * The factor this flow's packets may take instead of `factor` once a rule accepts them with the
   * fate and mark (acceptFate) they had at the large ACCEPT rules whose complements `factor` holds (see
   * largeFilter): what those complements take out, those rules accepted already, with that fate,
   * and the outcomes of one fate are joined before anything else sees them (withoutFactors). So
   * a blocklist's complement stays, but "not one of the partner address . port pairs accepted
   * above" is not carried into every later ACCEPT. Undefined factor: none at all.
   */
  acceptFactor?: { factor: PacketSet | undefined; fate: string };
  /**
   * Identity of the flow's history (certainty, NAT frames, assumptions, factors), computed once:
   * flows derived with `{ ...f, set }` keep it; anything that changes the history clears it.
   */
  key?: string;
  /**
   * The flow is `set` minus `pending` (see runRules): what the batches of a long chain took, not yet
   * taken out of the flow. Only runRules's own certain flows have one, and it is taken out before
   * anything else sees them. The flow's own UnionStack: no other flow holds it.
   */
  pending?: UnionStack;
}

/** Certainty, NAT frames and assumptions: what makes two accepted packets' fates the same. */
function fateKey(f: Flow): string {
  return `${f.certain}${f.ordinary ? "+" : ""}${f.extraordinary ? "!" : ""}|${f.nat.map((n) => n.rule.id + "@" + n.before.node.id).join(",")}|${assumptionsId(f.assumptions)}`;
}

/**
 * A number per list of assumptions (equal lists, equal numbers), so that the keys flows are
 * grouped by stay short: a flow past hundreds of unmodelled conditions carried their whole text
 * in every key, hashed again at each rule (an ACL whose groups hold fqdn objects: 7 of 94 s).
 */
let listIds = new WeakMap<readonly string[], number>();
let idsByText = new Map<string, number>();
onResetCaches(() => {
  listIds = new WeakMap();
  idsByText = new Map();
});
function assumptionsId(list: readonly string[]): number {
  if (list.length === 0) return 0;
  let id = listIds.get(list);
  if (id === undefined) {
    const text = list.join("\n");
    id = idsByText.get(text);
    if (id === undefined) idsByText.set(text, (id = idsByText.size + 1));
    listIds.set(list, id);
  }
  return id;
}

function flowKey(f: Flow): string {
  if (f.key === undefined) {
    const a = f.acceptFactor;
    f.key = `${fateKey(f)}|${f.factor?.node.id ?? ""}|${a ? `${a.factor?.node.id ?? "all"}@${a.fate}` : ""}|${f.mark ?? "?"}`;
  }
  return f.key;
}

export interface AcceptedRegion {
  /** The packets as they arrived. */
  original: PacketSet;
  /** The same packets as delivered (after DNAT); equal to `original` when nothing rewrote them. */
  delivered: PacketSet;
  /** False when the acceptance depends on conditions fwlint does not model. */
  certain: boolean;
  /**
   * Not certain only because of conditions drawn per packet or connection (Condition `drawn`: a
   * load balancer's pick of an endpoint): a given packet may go another way, but over many
   * connections these packets are let in, so what they reach is reachable.
   */
  drawn?: true;
  /**
   * Not certain only because of conditions that ordinary traffic - a unicast packet to the host or
   * through it, whose source routes back through the interface it arrived on - decides the way
   * these packets took them (Condition `ordinary`: a reverse-path filter, a drop of broadcasts),
   * or that are drawn per connection. The kernel's answer for a given packet depends on routes
   * and link-layer addresses the ruleset does not hold, but the connections strangers open are
   * ordinary traffic: what these packets reach is reachable.
   */
  ordinary?: true;
  /**
   * Uncertain, and never reached by ordinary traffic (Flow.extraordinary): the connections
   * strangers open do not come here, whatever the unmodelled conditions say.
   */
  extraordinary?: true;
  /** The DNAT rules that rewrote these packets, in order. */
  natRules: Rule[];
  /**
   * A raw-table notrack made these packets UNTRACKED on their way (NatFrame.untracks): the rules
   * after it saw them so, though they are told as they arrived.
   */
  untracked?: true;
  assumptions: string[];
}

/**
 * Does the region count as reached for certain in a finding - "is reachable", "forwards" -:
 * accepted for certain, or uncertain only by a draw per connection (a load balancer's pick of an
 * endpoint, AcceptedRegion.drawn), which lets such packets in over many connections, or only by
 * what ordinary traffic passes (AcceptedRegion.ordinary).
 */
export function surelyReached(r: AcceptedRegion): boolean {
  return r.certain || r.drawn === true || r.ordinary === true;
}

/**
 * The union of the regions' packets (as they arrived, or as delivered) accepted for certain, and
 * - computed on first use, see PipelineResult.possiblyAccepted - of all of them.
 */
export function acceptedUnions(
  regions: readonly AcceptedRegion[],
  side: "original" | "delivered",
  /** Which regions count as certain: those accepted for certain, or (surelyReached) also those reached by a draw. */
  sure: (a: AcceptedRegion) => boolean = (a) => a.certain,
): { certain: PacketSet; readonly possible: PacketSet } {
  const certain = unionFactored(regions.filter(sure).map((a) => a[side]));
  const uncertain = regions.filter((a) => !sure(a));
  let possible: PacketSet | undefined = uncertain.length === 0 ? certain : undefined;
  return {
    certain,
    get possible(): PacketSet {
      return (possible ??= certain.union(unionFactored(uncertain.map((a) => a[side]))));
    },
  };
}

export interface PipelineResult {
  pipeline: Pipeline;
  accepted: AcceptedRegion[];
  /**
   * Union of every accepted original packet (certain or not). Computed on first use: joining the
   * uncertain acceptances into the certain ones rebuilds every path they share, and most checks
   * ask only what is certain, or what is certain first (nft bench, 20k rules: several seconds).
   */
  readonly possiblyAccepted: PacketSet;
  /** Union of the original packets accepted whatever the unmodelled conditions say. */
  readonly certainlyAccepted: PacketSet;
  /** Per base chain (table-qualified key): the packets that fell off its end to its policy. */
  policyReached: Map<string, PacketSet>;
}

const MAX_DEPTH = 128;

/**
 * Uncertain fates one list of flows keeps apart (see Evaluator.boundFates): past this, uncertain
 * flows that differ only in their assumptions are joined.
 */
let maxUncertainFates = 64;

/**
 * Flows kept apart one list may hold (see Evaluator.boundFates): past this they are all rejoined,
 * and their fates bounded with the others'.
 */
let maxApart = 128;

/**
 * Chain runs one evaluation may make. A jump runs its target chain on what the jump matched, so a
 * chain reached by several jump rules, at each of many levels, runs once per path: the paths
 * multiply (three jumps per level, 20 levels: 17 million runs, half a minute; 24 levels: hours).
 * The largest count in the corpus is under 1,000 and a 1,000-rule kube-proxy dump makes 2,400;
 * past this limit the analysis stops with an error instead of running on (about 3 s of runs).
 */
export const pathBudget: { chainRuns: number } = { chainRuns: 2_000_000 };

interface ChainResult {
  accepted: Flow[];
  dropped: Flow[];
  returned: Flow[];
  /** Flows a DNAT rule rewrote (they leave the nat chain, rewritten, as accepted). */
}

/**
 * A batch of ACCEPT/DROP/REJECT rules accounted for as a whole (see runChain), up to rule `end`:
 * certain ones, and uncertain ones (steps) whose conditions are known but for unmodelled ones.
 */
interface AccountedBatch {
  end: number;
  /** Everything its rules match, the uncertain rules' matches included. */
  taken: PacketSet;
  /** The part of `taken` a certain DROP or REJECT matches first. */
  dropped: PacketSet;
  /** The part of `taken` a certain ACCEPT matches first. */
  accepted: PacketSet;
  /** Its uncertain rules, in order. */
  steps: UncertainStep[];
}

/** Jumps of one verdict map run as one (see Evaluator.jumpGroup): the rules with their matches, and the union of those. */
interface JumpGroup {
  rules: { rule: Rule; known: PacketSet }[];
  all: PacketSet;
}

/** An uncertain ACCEPT/DROP/REJECT rule inside an accounted batch. */
interface UncertainStep {
  rule: Rule;
  /** The rule's match as far as it is known. */
  known: PacketSet;
  /** What of `known` no earlier rule of the batch matches: the packets that meet the rule first. */
  first: PacketSet;
  open: OpenCondition[];
  /** The assumptions its packets take (one per open condition). */
  why: string[];
  /** The later rules of the batch whose matches meet `known`: the only ones its packets that go on can meet there. */
  later: number[];
}

/**
 * Uncertain rules one accounted batch takes at most (0: none, each ends the batch): the flows that
 * go on past each are run through the batch's later rules that meet them one by one, and past this
 * many the batch ends so that the fates they make are bounded (Evaluator.boundFates) that often.
 * (An 8,000-entry ACL with an fqdn object in every tenth group: 4, 16 and 64 took 3.3, 3.2 and
 * 3.5 s to evaluate; each such rule ending its batch, 5.2 s.)
 */
let maxBatchSteps = 16;
export class Evaluator {
  readonly diagnostics: Diagnostic[] = [];
  /** Batches accounted for, by chain, first rule, path kind and stage (see runChain). */
  private readonly batches = new Map<string, AccountedBatch>();
  /** Jump groups by chain, first rule, path kind and stage; null where none starts (see jumpGroup). */
  private readonly groupsFound = new Map<string, JumpGroup | null>();
  private readonly reported = new Set<string>();
  private policyReached = new Map<string, PacketSet>();
  /** Assumptions (Flow.assumptions) that name a condition drawn per packet (see AcceptedRegion.drawn). */
  private readonly drawnAssumptions = new Set<string>([MORE_DRAWN]);

  /** Some rule's match depends on the path (e.g. "destination is local"). */
  private readonly pathDependent: boolean;
  /** A rule tests whether the connection was DNATed (`ct status dnat`): filtering depends on each flow's rewrites. */
  private readonly natDependent: boolean;
  /**
   * The mark bits rules test: flows carry their marks in these bits (Flow.mark); none, and marks
   * are not followed at all (a mark set for routing, say, splits no flow).
   */
  private readonly observedMarks: number;

  /** Chain runs so far, in all and per chain (see pathBudget). */
  private chainRuns = 0;
  private readonly runsOf = new Map<Chain, number>();

  /** Counts a run of `chain`; past the budget, stops the analysis naming the chain run most. */
  private countRun(chain: Chain): void {
    this.runsOf.set(chain, (this.runsOf.get(chain) ?? 0) + 1);
    if (++this.chainRuns <= pathBudget.chainRuns) return;
    let most = chain;
    for (const [c, n] of this.runsOf) if (n > this.runsOf.get(most)!) most = c;
    throw new AnalysisLimitError(
      `the jumps between chains make more than ${groupedDigits(pathBudget.chainRuns)} paths to follow ` +
        `(chain ${most.name}, ${placeRef(most.span)}, was entered ${groupedDigits(this.runsOf.get(most)!)} times): ` +
        `chains reached by several jump rules over many levels multiply the paths`,
    );
  }

  constructor(readonly ruleset: Ruleset) {
    this.pathDependent = [...ruleset.chains.values()].some((c) => c.rules.some((r) => r.conditions.some((x) => x.kind === "local-dst")));
    this.natDependent = [...ruleset.chains.values()].some((c) => c.rules.some((r) => r.conditions.some((x) => x.kind === "ct-dnat")));
    this.observedMarks = observedMarkBits(ruleset);
  }

  /** Flows after each prefix of stages: inbound and forward share their PREROUTING work. */
  private readonly stageCache = new Map<string, { flows: Flow[]; reached?: PacketSet; uncertainDrops: Flow[] }>();
  private lastReached: PacketSet | undefined;
  /** Flows an unmodelled condition may have dropped in the last stage run. */
  private lastUncertainDrops: Flow[] = [];
  /**
   * Whether the chain being run must report the flows it drops for certain (ChainResult.dropped).
   * A packet dropped on a certain path was never accepted anywhere, so only uncertain drops matter
   * in the end (mayDrop); a certain drop matters only when the stage runs its input flows as one
   * and some of them are uncertain: what it drops of those is an uncertain drop (see runStage).
   * Otherwise certain drops are not built at all: no intersection with the batch's dropped part,
   * no factor intersected in, no union of them.
   */
  private keepCertainDrops = true;
  /** The stage being run rewrites sources for the chains after it (see evaluate). */
  private rewriteSrc = false;

  /** Whether what a DROP or REJECT takes of flow `f` is wanted (see keepCertainDrops). */
  private dropWanted(f: Flow): boolean {
    return !f.certain || this.keepCertainDrops;
  }

  /**
   * The packets a pipeline starts from: every packet of the family, on the device's own interfaces
   * when the ruleset lists them (in and out alike, so that every path starts from the same set and
   * shares the stages' results). A router whose every interface has a filter lets in nothing else.
   */
  private startSet(family: Family): PacketSet {
    const all = PacketSet.universe([family]);
    const names = this.ruleset.interfaces;
    if (names === undefined) return all;
    const ranges = names.map((n) => [ifaceToValue(n), ifaceToValue(n)] as const);
    return all.intersect(PacketSet.box({ [Dim.Iif]: ranges, [Dim.Oif]: ranges }));
  }

  evaluate(pipeline: Pipeline): PipelineResult {
    this.policyReached = new Map();
    const start = this.startSet(pipeline.family);
    const mark = this.observedMarks !== 0 ? markOnArrival(pipeline.kind) : undefined;
    let flows: Flow[] = [{ set: start, certain: true, nat: [], assumptions: [], ...(mark !== undefined ? { mark } : {}) }];
    const uncertainDrops: Flow[] = [];
    // Stages are shared between paths unless a rule's meaning depends on the path.
    let prefix = this.pathDependent ? `${pipeline.family}|${pipeline.kind}` : `${pipeline.family}`;
    const expiry = ttlExpiryStage(this.ruleset, pipeline);
    for (const [i, stage] of pipeline.stages.entries()) {
      if (i === expiry) {
        // routing takes one off the TTL: what would reach 0 is dropped (ICMP time exceeded)
        const passes = ttlAfterRouting();
        flows = flows.map((f) => ({ ...f, set: f.set.intersect(passes), key: undefined })).filter((f) => !f.set.isEmpty());
        prefix += "|ttl-routed";
      }
      const rewriteSrc = sourceNatSeenLater(this.ruleset, pipeline, i);
      prefix += `|${stage.chain}:${stage.role}${rewriteSrc ? "+snat" : ""}`;
      let cached = this.stageCache.get(prefix);
      if (!cached) {
        this.lastReached = undefined;
        this.lastUncertainDrops = [];
        cached = { flows: this.runStage(stage, flows, pipeline.kind, rewriteSrc), reached: this.lastReached, uncertainDrops: this.lastUncertainDrops };
        this.stageCache.set(prefix, cached);
      }
      flows = cached.flows;
      pushAll(uncertainDrops, cached.uncertainDrops);
      if (cached.reached) this.policyReached.set(stage.chain, cached.reached);
      if (pipeline.kind === "forward" && flows.some((f) => f.nat.some(isRedirect))) {
        flows = flows.filter((f) => !f.nat.some(isRedirect));
        prefix += "|forwarded";
      }
      if (pipeline.kind === "inbound" && flows.some((f) => pendingLocalAssumptions(f).length > 0)) {
        flows = inboundAfterDnat(flows, uncertainDrops);
        prefix += "|inbound-dnat";
      }
      if (flows.length === 0) break;
    }
    // A packet is certainly accepted when no choice of the unmodelled conditions drops it: the
    // parts of uncertain flows that no uncertain drop touches are certain after all (the two
    // branches of an unknown condition often meet again, e.g. both end in the same ACCEPT).
    const mayDrop = PacketSet.unionAll(uncertainDrops.map((f) => this.toRegion(f).original));
    const accepted: AcceptedRegion[] = [];
    /**
     * Uncertain rewritten regions: their packets that no uncertain drop touches are accepted
     * whichever way the unknowns go (a load balancer whose every endpoint lets them in), though
     * which rewrite they get is not certain - the regions stay as they are (splitting one would
     * need the rewrite's image of the sure part), and only certainlyAccepted counts those packets.
     */
    const rewrittenUnsure: PacketSet[] = [];
    for (const f of flows) {
      const chosen = chosenSure(f);
      if (chosen !== undefined) {
        const certain: Flow = { ...f, set: chosen, certain: true, assumptions: [], key: undefined };
        if (!chosen.isEmpty()) accepted.push(this.toRegion(certain));
        const rest = f.set.minus(chosen);
        if (!rest.isEmpty()) accepted.push(this.toRegion({ ...f, set: rest }));
        continue;
      }
      const r = this.toRegion(f);
      if (r.certain || r.natRules.length > 0) {
        accepted.push(r);
        if (!r.certain) rewrittenUnsure.push(r.original);
        continue;
      }
      const sure = minusFactored(r.original, mayDrop);
      if (!sure.isEmpty()) {
        const { ordinary: _ordinary, extraordinary: _extraordinary, ...plain } = r;
        accepted.push({ ...plain, original: sure, delivered: sure, certain: true, assumptions: [] });
      }
      const unsure = r.original.intersect(mayDrop);
      if (!unsure.isEmpty()) accepted.push({ ...r, original: unsure, delivered: unsure });
    }
    const unions = acceptedUnions(accepted, "original");
    let certainlyAccepted: PacketSet | undefined = rewrittenUnsure.length === 0 ? unions.certain : undefined;
    return {
      pipeline,
      accepted,
      get possiblyAccepted(): PacketSet {
        return unions.possible;
      },
      get certainlyAccepted(): PacketSet {
        return (certainlyAccepted ??= unions.certain.union(minusFactored(PacketSet.unionAll(rewrittenUnsure), mayDrop)));
      },
      policyReached: this.policyReached,
    };
  }

  private toRegion(f: Flow): AcceptedRegion {
    let original = f.set;
    let delivered: PacketSet | undefined;
    for (let i = f.nat.length - 1; i >= 0; i--) {
      const frame = f.nat[i]!;
      if (!isSourceNat(frame) && !frame.untracks) delivered ??= original;
      original = frame.before.intersect(preimage(original, frame));
    }
    const drawn = !f.certain && this.drawnOnly(f);
    return {
      original,
      delivered: delivered ?? original,
      certain: f.certain,
      ...(drawn ? { drawn: true as const } : {}),
      ...(!f.certain && f.ordinary ? { ordinary: true as const } : {}),
      ...(!f.certain && f.extraordinary ? { extraordinary: true as const } : {}),
      natRules: f.nat.filter(rewroteDst).map((n) => n.rule),
      ...(f.nat.some((n) => n.untracks) ? { untracked: true as const } : {}),
      assumptions: [...f.assumptions],
    };
  }

  private runStage(stage: Stage, flows: Flow[], kind: PipelineKind, rewriteSrc: boolean): Flow[] {
    const chain = this.ruleset.chains.get(stage.chain);
    if (!chain) return flows;
    // Source NAT decides nothing about acceptance unless something in it can drop, or a later chain sees what it rewrites.
    if (stage.role === "srcnat" && !rewriteSrc && !canDrop(this.ruleset, chain)) return flows;
    this.rewriteSrc = rewriteSrc;
    const out: Flow[] = [];
    let input = flows;
    if (stage.role === "dstnat" || stage.role === "srcnat") {
      // nat chains see only the first packet of a connection; the rest follow conntrack.
      const isNew = PacketSet.box({ [Dim.CtState]: [[BigInt(ctIndex("new")), BigInt(ctIndex("new"))]] });
      input = [];
      for (const f of flows) {
        // Once a nat chain of the hook has rewritten the destination, the connection has its
        // binding: the kernel consults no later nat chain of that hook for it.
        if (f.nat.some((n) => (stage.role === "dstnat") !== isSourceNat(n))) {
          out.push(f);
          continue;
        }
        const n = f.set.intersect(isNew);
        const rest = f.set.minus(isNew);
        if (!n.isEmpty()) input.push({ ...f, set: n });
        if (!rest.isEmpty()) out.push({ ...f, set: rest });
      }
    }
    const reached: PacketSet[] = [];
    const droppedOut: Flow[] = [];
    const run = (inFlows: Flow[]): Flow[] => {
      const res = withoutFactors(this.runChain(chain, inFlows, 0, stage, kind));
      // Falling off the end of a base chain (or RETURN from it) applies its policy.
      pushAll(reached, res.returned.map((f) => f.set));
      const dropped = chain.policy === "drop" ? [...res.dropped, ...res.returned] : res.dropped;
      pushAll(droppedOut, dropped.filter((f) => this.dropWanted(f)));
      return chain.policy !== "drop" ? [...res.accepted, ...res.returned] : res.accepted;
    };
    this.keepCertainDrops = false;
    if (stage.role === "dstnat" || this.natDependent) pushAll(out, run(input));
    else {
      // Filtering depends only on the packet (and its mark), not on how it was rewritten nor on
      // which unmodelled conditions it met before: all flows of one mark go through the chain as
      // one set, and each outcome is split back over the flows it came from.
      for (const group of byMark(input)) pushAll(out, this.runMerged(group, run, droppedOut));
    }
    const all = PacketSet.unionAll(reached);
    if (!all.isEmpty()) this.lastReached = all;
    // Only uncertain drops matter: a packet dropped on a certain path was never accepted anywhere.
    this.lastUncertainDrops = droppedOut.filter((f) => !f.certain);
    return this.boundFates(mergeFlows(out), false);
  }

  /**
   * Flows of one mark through a filter chain as one set (`run`); each outcome is split back over
   * the flows it came from, and so are the drops (into `droppedOut`).
   */
  private runMerged(input: Flow[], run: (inFlows: Flow[]) => Flow[], droppedOut: Flow[]): Flow[] {
    this.keepCertainDrops = false;
    if (input.length <= 1) return run(input);
    const out: Flow[] = [];
    const merged: Flow = { set: PacketSet.unionAll(input.map((m) => m.set)), certain: true, nat: [], assumptions: [], ...markOf(input[0]!) };
    this.keepCertainDrops = input.some((m) => !m.certain);
    const before = droppedOut.length;
    // Join the outcomes that share their fate first: each is split over every flow below.
    const outcomes = this.boundFates(mergeFlows(run([merged])), false);
    // Distribute the drops of the merged run back over the flows, like the accepts: a drop is
    // uncertain when the flow already was, or when this stage's unknowns made it.
    const drops = this.boundFates(mergeFlows(droppedOut.splice(before)), false);
    for (const m of input) {
      for (const d of drops) {
        if (m.certain && d.certain) continue;
        const part = d.set.intersect(m.set);
        if (!part.isEmpty()) droppedOut.push({ set: part, certain: false, nat: m.nat, assumptions: [...m.assumptions, ...d.assumptions], ...markOf(d) });
      }
    }
    // The main outcome: certain, no new assumptions, no rewrite (typically "accepted as it
    // came"). A flow inside it belongs to it whole, and an outcome inside a flow is all that
    // flow's share of it: both told by walks that build nothing.
    const main = outcomes.find((o) => o.certain && o.assumptions.length === 0 && o.nat.length === 0 && o.mark === merged.mark);
    for (const m of input) {
      if (main && m.set.isSubsetOf(main.set)) {
        out.push(m);
        continue;
      }
      for (const o of outcomes) {
        // (a notrack of the chain made its packets UNTRACKED: this flow's share is what it made of this flow's packets)
        const untracks = o.nat.some((n) => n.untracks);
        const mine = untracks ? untrackedSet(m.set) : m.set;
        const part = o.set.isSubsetOf(mine) ? o.set : o.set.intersect(mine);
        if (part.isEmpty()) continue;
        out.push({
          set: part,
          certain: m.certain && o.certain,
          ...((m.certain || m.ordinary) && (o.certain || o.ordinary) && !(m.certain && o.certain) ? { ordinary: true as const } : {}),
          ...(m.extraordinary || o.extraordinary ? { extraordinary: true as const } : {}),
          nat: o.nat.length ? [...m.nat, ...(untracks ? o.nat.map((n) => (n.untracks ? { ...n, before: n.before.intersect(m.set) } : n)) : o.nat)] : m.nat,
          assumptions: o.assumptions.length ? [...m.assumptions, ...o.assumptions] : m.assumptions,
          // the mark the chain left (it may have set one)
          ...markOf(o),
        });
      }
    }
    return out;
  }

  /**
   * `flows` with at most maxUncertainFates uncertain fates: past that, the uncertain flows that
   * differ only in their assumptions (the same ordinary and extraordinary standing, the same
   * drawn-ness of their conditions, factor and mark; no NAT history, not kept apart) are joined,
   * each group into one flow with all of its members' assumptions - inside a chain any such flows,
   * as they leave it only those past more than one unmodelled condition. Each unmodelled condition a
   * flow meets splits it, and the ways on meet the next ones: an ACL whose entries name groups
   * holding fqdn objects made a flow per combination of names - 8,000 entries, 3.4 GB and three
   * minutes, 20,000 a stack overflow. What is accepted, certainly or possibly, stays exact; a
   * joined flow's packets are told to depend on conditions some of them never met (a finding's
   * list of them may name another device group's: three Panorama configs of the corpus, whose
   * device groups, applications and users make hundreds of fates).
   */
  private boundFates(flows: Flow[], inChain: boolean): Flow[] {
    // Flows kept apart past a rule with an unmodelled condition are cheap while later rules of the
    // chain do not meet them; thousands of them are walked at every rule and batch all the same:
    // past maxApart, they are rejoined. (What jumped-to chains return is joined in groups already,
    // see compact: a verdict map of 500 jumps, each chain with its own rate limits, stays as it is.)
    if (inChain) {
      let apart = 0;
      for (const f of flows) if (f.apartPastUnknown) apart++;
      if (apart > maxApart) {
        // (only the flows not kept apart are merged with them: what jumped-to chains returned stays apart)
        const kept = flows.filter((f) => f.within && !f.apartPastUnknown);
        flows = [...mergeFlows(flows.filter((f) => !f.within || f.apartPastUnknown).map((f) => (f.apartPastUnknown ? joined(f, f.set) : f))), ...kept];
      }
    } else {
      // Leaving the stage, a flow kept apart past an unmodelled condition of its chain is joined
      // like any other: its bound is that chain's, and nothing later tests it.
      flows = flows.map((f) => (f.apartPastUnknown ? joined(f, f.set) : f));
    }
    // Leaving a chain, a flow past one unmodelled condition only (a rule's own, say a rate limit
    // in each of 5,000 rules, each accepting its own packets) is no combination: those stay as
    // they are, however many - joined, their sets would be united for nothing.
    const joinable = (f: Flow) => !f.certain && !f.within && f.nat.length === 0 && (inChain || f.assumptions.length > 1);
    let n = 0;
    for (const f of flows) if (joinable(f)) n++;
    if (n <= maxUncertainFates) return flows;
    return joinGroups(
      flows,
      (f) => (joinable(f) ? `${f.ordinary ? "+" : ""}${f.extraordinary ? "!" : ""}${this.drawnOnly(f) ? "~" : ""}|${f.factor?.node.id ?? ""}|${f.mark ?? "?"}` : undefined),
      (g) => {
        // (a factor widened for accepted packets of one fate, acceptFactor, is not kept: the flow's own holds)
        const { acceptFactor: _wider, ...first } = g[0]!;
        return { ...first, set: unionFactored(g.map((f) => f.set)), assumptions: joinedAssumptions(g, this.drawnOnly(first)), key: undefined };
      },
    );
  }

  /** Does `f` depend only on conditions drawn per packet or connection (AcceptedRegion.drawn)? */
  private drawnOnly(f: Flow): boolean {
    return f.assumptions.length > 0 && f.assumptions.every((a) => this.drawnAssumptions.has(a));
  }

  private runChain(chain: Chain, flows: Flow[], depth: number, stage: Stage, kind: PipelineKind): ChainResult {
    this.countRun(chain);
    const result: ChainResult = { accepted: [], dropped: [], returned: [] };
    if (depth > MAX_DEPTH) {
      this.report(chain.span.file, chain.span.line, chain.span.column, `chain ${chain.name}: jumps nest deeper than ${MAX_DEPTH} (a loop?); the packets reaching it are treated as dropped`);
      pushAll(result.dropped, flows);
      return result;
    }
    pushAll(result.returned, this.runRules(chain, flows, undefined, depth, stage, kind, result));
    return result;
  }

  /**
   * Runs `flows` through the chain's rules - all of them, or only those at `only` (ascending
   * positions, taken one by one) - pushing what they decide into `result`; returns the flows that
   * go on past the last.
   */
  private runRules(chain: Chain, flows: Flow[], only: readonly number[] | undefined, depth: number, stage: Stage, kind: PipelineKind, result: ChainResult): Flow[] {
    let active = flows;
    // A batch of consecutive ACCEPT, DROP and REJECT rules only takes packets out of the active
    // flows, and what it takes depends only on the rules: `taken` is the union of their matches,
    // `dropped` the part of it a certain DROP/REJECT matches first, `accepted` the part a certain
    // ACCEPT does. These are rule-sized work; the flows - large sets whose paths each rule would
    // rebuild - are split once per batch, not once per rule. Both unions grow balanced
    // (UnionStack): what a DROP matches first is its match minus the parts of `taken`, never the
    // whole union at each DROP. A rule whose known conditions come with unmodelled ones (a rate
    // limit, an fqdn object) is a step of the batch: what of a flow meets it first (`first`) goes
    // both ways, as an uncertain match and as uncertain packets that go on, and those run through
    // the batch's later rules that meet them one by one (runRules with `only`). So the large
    // flows are not split again at each such rule (an ACL of 20,000 entries, every tenth naming a
    // group with an fqdn object: a minute).
    // The unions depend only on the rules, the path kind and the stage: a batch met again (the
    // same chain on the other family's pipeline) is taken from `this.batches`, not built again.
    let batch: { key: string; taken: UnionStack; dropped: UnionStack; steps: UncertainStep[] } | undefined;
    let lazy = false;
    const applyBatch = (b: AccountedBatch) => {
      const next: Flow[] = [];
      const takenProj = active.some((f) => f.within) ? Projections.of(b.taken) : undefined;
      const born: Flow[][] = b.steps.map(() => []);
      for (const f of active) {
        if (f.within && (!Projections.of(f.within).mayMeet(takenProj!) || !f.within.overlaps(b.taken))) {
          next.push(f);
          continue;
        }
        const eligible = f.certain && !f.within && !this.dropWanted(f);
        if (f.pending || (eligible && lazy)) {
          // Once taking a batch out of the flow - every packet no earlier rule decided, a set that
          // grows with each rule - has cost more than lazyWork, the flow is not rebuilt at each
          // batch: what the batch takes waits in `pending`, and what it accepts, or its uncertain
          // rules meet first, is read from the batch's rule-sized sets, less what earlier batches
          // took. (One chain of 10k rules whose source DROPs meet every path of it: each batch
          // rebuilt the whole flow, 14 s.) Its drops are not wanted (certain), so nothing needs the
          // part of the flow a DROP takes.
          const { pending: was, ...plain } = f;
          const cut = (x: PacketSet) => (was ? was.outside(x) : x);
          const acc = cut(f.set.intersect(b.accepted));
          if (!acc.isEmpty()) result.accepted.push({ ...plain, set: acc });
          b.steps.forEach((step, k) => {
            if (!f.set.overlaps(step.first)) return;
            const first = cut(f.set.intersect(step.first));
            if (!first.isEmpty()) born[k]!.push({ ...plain, set: first });
          });
          const pending = was ?? new UnionStack();
          pending.add(b.taken);
          next.push({ ...plain, pending });
          continue;
        }
        const work = eligible ? builtSoFar() : 0;
        const rest = f.set.minus(b.taken);
        // a flow that costs this much to take a batch out of goes lazy (see above) from the next batch
        if (eligible && builtSoFar() - work > lazyWork) lazy = true;
        if (rest.equals(f.set)) {
          next.push(f);
          continue;
        }
        if (!rest.isEmpty()) next.push({ ...f, set: rest });
        const acc = f.set.intersect(b.accepted);
        if (!acc.isEmpty()) result.accepted.push({ ...f, set: acc });
        if (this.dropWanted(f)) {
          const drop = f.set.intersect(b.dropped);
          if (!drop.isEmpty()) result.dropped.push({ ...f, set: drop });
        }
        b.steps.forEach((step, k) => {
          if (f.within && !Projections.of(f.within).mayMeet(Projections.of(step.first))) return;
          if (f.set.overlaps(step.first)) born[k]!.push({ ...f, set: f.set.intersect(step.first) });
        });
      }
      b.steps.forEach((step, k) => {
        if (born[k]!.length === 0) return;
        const matched: Flow[] = [];
        const goOn: Flow[] = [];
        for (const f of born[k]!) {
          const [m, g] = this.uncertainWays(f, step.rule, step.known, step.open, step.why);
          matched.push(m);
          goOn.push(g);
        }
        this.act(step.rule, step.rule.action, matched, result, (fs) => pushAll(next, fs), depth, stage, chain, kind);
        pushAll(next, step.later.length === 0 ? goOn : this.runRules(chain, goOn, step.later, depth, stage, kind, result));
      });
      active = b.steps.length === 0 ? next : this.boundFates(compact(settledWhereJoined(next)), true);
    };
    /** Ends the batch being built before rule `end`. */
    const endBatch = (end: number) => {
      if (!batch) return;
      const { steps } = batch;
      const taken = batch.taken.union();
      const dropped = batch.dropped.union();
      // (what the uncertain rules meet first - apart from one another - is neither accepted nor dropped for certain)
      const decided = steps.length === 0 ? taken : taken.minus(PacketSet.unionAll(steps.map((s) => s.first)));
      const done: AccountedBatch = { end, taken, dropped, accepted: decided.minus(dropped), steps };
      this.batches.set(batch.key, done);
      batch = undefined;
      applyBatch(done);
    };
    const rules = chain.rules;
    const count = only ? only.length : rules.length;
    let p = 0;
    for (; p < count; p++) {
      const i = only ? only[p]! : p;
      const rule = rules[i]!;
      if (active.length === 0) break;
      const m = compileRuleOnPath(rule, this.ruleset, kind, stage);
      if (m.known.isEmpty()) continue;
      const unknowns = unknownsOnPath(m, kind, stage);
      if (unknowns === null) continue;
      const a = rule.action.kind;
      // a verdict on what the rule matches, certain or not: the match leaves the chain (in part
      // uncertain, see uncertainWays), the rest goes on
      const terminal = m.dnat.length === 0 && m.marks.length === 0 && rule.setMark === undefined && (a === "accept" || a === "drop" || a === "reject");
      const decides = terminal && unknowns.length === 0;
      const keep = decides ? largeFilter(rule, m.known) : undefined;
      if (keep) {
        // What the rule matches leaves each flow; the rest keeps the filter aside (see Flow.factor).
        endBatch(i);
        active = settled(active);
        const next: Flow[] = [];
        const outcome = a === "accept" ? result.accepted : result.dropped;
        for (const f of active) {
          const hit = a === "accept" || this.dropWanted(f) ? f.set.intersect(m.known) : PacketSet.empty();
          if (!hit.isEmpty()) outcome.push({ ...f, set: hit });
          const factor = f.factor ? intersectFactor(keep, f.factor) : keep;
          next.push({ ...f, factor, acceptFactor: passedLarge(f, a === "accept", keep, factor), key: undefined });
        }
        active = next;
        continue;
      }
      if (terminal && accountRuns && !only && (decides || maxBatchSteps > 0)) {
        if (batch && !decides && batch.steps.length >= maxBatchSteps) endBatch(i);
        if (!batch) {
          const key = `${chain.table}/${chain.name}|${i}|${kind}|${stage.chain}`;
          const known = this.batches.get(key);
          if (known) {
            applyBatch(known);
            p = known.end - 1;
            continue;
          }
          batch = { key, taken: new UnionStack(), dropped: new UnionStack(), steps: [] };
        }
        // the steps before whose packets going on this rule may meet
        for (const step of batch.steps) if (Projections.of(m.known).mayMeet(Projections.of(step.known)) && m.known.overlaps(step.known)) step.later.push(i);
        if (!decides) batch.steps.push({ rule, known: m.known, first: batch.taken.outside(m.known), open: unknowns, why: this.assumptionsOf(rule, unknowns), later: [] });
        else if (a !== "accept") batch.dropped.add(batch.taken.outside(m.known));
        batch.taken.add(m.known);
        continue;
      }
      endBatch(i);
      active = settled(active);
      const group = only || !jumpGroups ? undefined : this.jumpGroup(chain, i, m, unknowns, kind, stage);
      if (group) {
        active = this.runJumpGroup(group, active, result, depth, stage, chain, kind);
        p += group.rules.length - 1;
        continue;
      }
      const matched: Flow[] = [];
      const next: Flow[] = [];
      if (active.some((f) => f.within)) active = rejoinMet(active, m.known);
      for (const f of active) {
        // `ct status dnat`: decided by whether a DNAT on the flow's own path rewrote it
        if (m.dnat.length > 0 && !dnatHolds(m, f.nat.some(rewroteDst))) {
          next.push(f);
          continue;
        }
        // the packet mark: tested on what the flow carries, an unknown condition when it is not known
        let open = unknowns;
        if (m.marks.length > 0) {
          if (f.mark === undefined) open = [...unknowns, ...m.marks.map(unknownMark)];
          else if (!markHolds(m, f.mark)) {
            next.push(f);
            continue;
          }
        }
        // flows kept apart that meet the rule were rejoined just now: the rest miss it
        const hit = f.within ? PacketSet.empty() : f.set.intersect(m.known);
        if (hit.isEmpty()) {
          next.push(f);
          continue;
        }
        if (open.length === 0) {
          const rest = f.set.minus(m.known);
          if (!rest.isEmpty()) next.push({ ...f, set: rest });
          matched.push(this.marked({ ...f, set: hit }, rule));
        } else {
          if (isNonTerminating(rule.action) && !mayUntrack(rule)) {
            // it changes nothing but, perhaps, the mark: what it may have marked has a mark not known
            if (this.markAfter(f, rule) === f.mark) next.push(f);
            else {
              const rest = f.set.minus(m.known);
              if (!rest.isEmpty()) next.push({ ...f, set: rest });
              const { mark: _mark, ...unmarked } = f;
              next.push({ ...unmarked, set: hit, key: undefined });
            }
            continue;
          }
          const why = this.assumptionsOf(rule, open);
          const rest = f.set.minus(m.known);
          if (!rest.isEmpty()) next.push({ ...f, set: rest });
          const [met, goesOn] = this.uncertainWays({ ...f, set: hit }, rule, m.known, open, why);
          next.push(goesOn);
          matched.push(met);
        }
      }
      active = next;
      if (matched.length === 0) continue;
      this.act(rule, rule.action, matched, result, (fs) => pushAll(active, fs), depth, stage, chain, kind);
      active = this.boundFates(compact(active), true);
    }
    endBatch(p);
    return settled(active);
  }

  /**
   * The rules from `i` on that one verdict map of jumps became (`iifname vmap { "wan" : jump
   * wan_in, ... }`, nft bench: `ip daddr vmap` of 500 customer networks), when there are two or
   * more: the same statement's elements in a row, each a jump or goto on known conditions alone
   * (no unmodelled one, no mark, no rewrite), their matches apart from one another; with `all`,
   * the union of their matches. Undefined otherwise. Such rules are run as one (runJumpGroup).
   * Found once per chain position, path kind and stage, like the batches (a chain run again on
   * another path, or reached by many jumps, does not look again).
   */
  private jumpGroup(chain: Chain, i: number, m: CompiledMatch, unknowns: readonly OpenCondition[], kind: PipelineKind, stage: Stage): JumpGroup | undefined {
    const key = `${chain.table}/${chain.name}|${i}|${kind}|${stage.chain}`;
    let group = this.groupsFound.get(key);
    if (group === undefined) this.groupsFound.set(key, (group = this.findJumpGroup(chain.rules, i, m, unknowns, kind, stage) ?? null));
    return group ?? undefined;
  }

  private findJumpGroup(rules: readonly Rule[], i: number, m: CompiledMatch, unknowns: readonly OpenCondition[], kind: PipelineKind, stage: Stage): JumpGroup | undefined {
    const first = rules[i]!;
    const next = rules[i + 1];
    if (first.element === undefined || next?.span !== first.span || next.element === undefined) return undefined;
    const plainJump = (r: Rule, c: CompiledMatch, open: readonly OpenCondition[] | null) =>
      (r.action.kind === "jump" || r.action.kind === "goto") && open !== null && open.length === 0 && c.dnat.length === 0 && c.marks.length === 0 && r.setMark === undefined;
    if (!plainJump(first, m, unknowns)) return undefined;
    const group = [{ rule: first, known: m.known }];
    // what the group matches so far, grown balanced (a map may hold thousands of elements)
    const seen = new UnionStack();
    seen.add(m.known);
    for (let k = i + 1; k < rules.length; k++) {
      const r = rules[k]!;
      if (r.span !== first.span || r.element === undefined) break;
      const c = compileRuleOnPath(r, this.ruleset, kind, stage);
      if (!plainJump(r, c, unknownsOnPath(c, kind, stage)) || seen.snapshot().meets(c.known)) break;
      group.push({ rule: r, known: c.known });
      seen.add(c.known);
    }
    return group.length > 1 ? { rules: group, all: seen.union() } : undefined;
  }

  /**
   * The rules of a jumpGroup run as one: what each matches of the flows goes to its chain, the rest
   * goes on past them all. The same as running them one by one - their matches are apart, so what
   * one rule's chain returns (bounded by that rule's match, Flow.within) meets no other rule of the
   * group, and a flow meets each rule with the same packets whichever went before - but the flows
   * are walked, compacted and bounded once for the group, not after each rule: a verdict map of
   * 500 jumps, each chain returning flows of its own, walked thousands of flows at each element
   * (nft bench: evaluation 7.5 -> 6.4 s).
   */
  private runJumpGroup(group: JumpGroup, flows: Flow[], result: ChainResult, depth: number, stage: Stage, chain: Chain, kind: PipelineKind): Flow[] {
    const { rules, all } = group;
    let active = flows;
    // flows kept apart that meet a rule of the group are rejoined, as each rule would have
    if (active.some((f) => f.within)) for (const g of rules) active = rejoinMet(active, g.known);
    const matched: Flow[][] = rules.map(() => []);
    const next: Flow[] = [];
    for (const f of active) {
      // (flows kept apart past the rejoining meet none of the rules)
      if (f.within || !f.set.overlaps(all)) {
        next.push(f);
        continue;
      }
      rules.forEach((g, k) => {
        const hit = f.set.intersect(g.known);
        if (!hit.isEmpty()) matched[k]!.push(this.marked({ ...f, set: hit }, g.rule));
      });
      const rest = f.set.minus(all);
      if (!rest.isEmpty()) next.push({ ...f, set: rest });
    }
    active = next;
    let acted = false;
    rules.forEach((g, k) => {
      if (matched[k]!.length === 0) return;
      acted = true;
      this.act(g.rule, g.rule.action, matched[k]!, result, (fs) => pushAll(active, fs), depth, stage, chain, kind);
    });
    return acted ? this.boundFates(compact(active), true) : active;
  }

  /** The assumptions packets take that meet `rule`'s `open` conditions, one each; those drawn per packet are noted as such. */
  private assumptionsOf(rule: Rule, open: readonly Extract<Condition, { kind: "unknown" }>[]): string[] {
    const why = open.map((u) => `${u.text} (${placeRef(rule.span)})`);
    open.forEach((u, k) => u.drawn && this.drawnAssumptions.add(why[k]!));
    return why;
  }

  /**
   * The two ways of `f`, packets that meet a rule whose known conditions `known` they match and
   * whose `open` conditions are not modelled (assumptions `why`): matched by it, and going on
   * past it, both uncertain. The way on is kept apart with the rule's match as its bound
   * (Flow.within): its fate is its own (these assumptions), so no other flow joins it, and the later
   * rules it cannot meet pass it by on a test of two rule-sized sets. (An ACL of 5,000 entries each
   * naming a group with an fqdn object: each left such a flow, and every later entry split all of
   * them - 70 s.)
   */
  private uncertainWays(f: Flow, rule: Rule, known: PacketSet, open: readonly OpenCondition[], why: readonly string[]): [matched: Flow, goesOn: Flow] {
    const uncertain: Flow = { ...f, certain: false, assumptions: [...f.assumptions, ...why], key: undefined };
    // each way on is ordinary when ordinary traffic takes it (and the flow was so far)
    const wasOrdinary = f.certain || f.ordinary === true;
    const goesOn: Flow = keepApart ? { ...uncertain, within: known, apartPastUnknown: true } : uncertain;
    return [
      this.marked(ordinaryAs(uncertain, wasOrdinary && ordinaryMatches(open), f.extraordinary === true || ordinaryNeverMatches(open)), rule),
      ordinaryAs(goesOn, wasOrdinary && ordinaryMisses(open), f.extraordinary === true || ordinaryNeverMisses(open)),
    ];
  }

  private act(
    rule: Rule,
    action: Action,
    matched: Flow[],
    result: ChainResult,
    goOn: (flows: Flow[]) => void,
    depth: number,
    stage: Stage,
    chain: Chain,
    kind: PipelineKind,
  ): void {
    switch (action.kind) {
      case "accept":
        pushAll(result.accepted, matched);
        return;
      case "drop":
      case "reject":
        pushAll(result.dropped, matched.filter((f) => this.dropWanted(f)));
        return;
      case "return":
        pushAll(result.returned, matched);
        return;
      case "continue":
        if (!isNotrack(action.target)) goOn(matched);
        else goOn(matched.flatMap((f) => untrackedBy(f, rule, stage)));
        return;
      case "jump":
      case "goto": {
        const target = this.ruleset.chains.get(`${chain.table}/${action.chain}`);
        if (!target) {
          this.report(rule.span.file, rule.span.line, rule.span.column, `${action.kind} to chain ${action.chain}, which does not exist in table ${chain.table}; the rule is ignored`);
          goOn(matched);
          return;
        }
        const sub = this.runChain(target, matched, depth + 1, stage, kind);
        pushAll(result.accepted, sub.accepted);
        pushAll(result.dropped, sub.dropped);
        // what comes back lies inside this rule's match
        const within = compileRuleOnPath(rule, this.ruleset, kind, stage).known;
        const back = keepApart ? sub.returned.map(({ apartPastUnknown: _own, ...f }) => ({ ...f, within })) : sub.returned;
        if (action.kind === "jump") goOn(back);
        else pushAll(result.returned, back);
        return;
      }
      case "dnat":
        // REDIRECT (no address) delivers to the host itself: the forward path drops those flows.
        // On the inbound path a DNAT elsewhere may leave the host: see inboundAfterDnat.
        for (const f of matched.map(materialized)) {
          // a DNAT to one address and port the packet already has changes nothing (see unchanged)
          const same = unchanged(f.set, action.to);
          const moved = same.isEmpty() ? f.set : f.set.minus(same);
          if (!same.isEmpty()) result.accepted.push({ ...f, set: same, nat: [...f.nat, { before: same, dims: [], rule, identity: true }], key: undefined });
          if (!moved.isEmpty()) pushAll(result.accepted, applyDnat({ ...f, set: moved }, action.to, rule));
        }
        return;
      case "snat":
        if (this.rewriteSrc) pushAll(result.accepted, matched.map((f) => applySnat(materialized(f), action.to, rule)));
        else pushAll(result.accepted, matched);
        return;
      case "unknown": {
        const why = `target ${action.target} (${placeRef(rule.span)}) decides outside the ruleset`;
        const flows = matched.map((f) => ordinaryAs({ ...f, certain: false, assumptions: [...f.assumptions, why], key: undefined }, false));
        pushAll(result.accepted, flows);
        pushAll(result.dropped, flows);
        return;
      }
    }
  }

  /** The flow with the mark `rule` sets on what it matches (the flow itself when that changes no tested bit). */
  private marked(f: Flow, rule: Rule): Flow {
    const mark = this.markAfter(f, rule);
    if (mark === f.mark) return f;
    const { mark: _old, ...rest } = f;
    return { ...rest, ...(mark !== undefined ? { mark } : {}), key: undefined };
  }

  /** The mark of `f`'s packets after `rule` (in the tested bits; marks not followed: as it was). */
  private markAfter(f: Flow, rule: Rule): number | undefined {
    return this.observedMarks === 0 ? f.mark : rewriteMark(f.mark, rule.setMark, this.observedMarks);
  }

  private report(file: string, line: number, column: number, message: string): void {
    const key = `${file}:${line}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.diagnostics.push({ severity: "warning", file, line, column, message });
  }
}

/** A mark test on a flow whose mark is not known. */
function unknownMark(c: Extract<Condition, { kind: "mark" }>): Extract<Condition, { kind: "unknown" }> {
  return { kind: "unknown", text: c.text, reason: "the packet mark is not known here (set outside the ruleset, or copied from the connection)" };
}

function isNonTerminating(a: Action): boolean {
  return a.kind === "continue";
}

const PORT_PROTO_SET = () => PacketSet.box({ [Dim.Proto]: PORT_PROTOS.map((p) => [BigInt(p), BigInt(p)] as const) });

/** The packets of a protocol with ports whose destination port lies in `ports`. */
function dportIn(ports: readonly [number, number]): PacketSet {
  return PORT_PROTO_SET().intersect(PacketSet.box({ [Dim.Dport]: [[BigInt(ports[0]), BigInt(ports[1])]] }));
}

/**
 * The packets a DNAT leaves as they were: those sent to its one address already, on a port it keeps
 * (keptDnatPorts; a DNAT that names no port keeps every one). The kernel does not mark such a
 * connection DNATed. A range of addresses (chosen by a hash), a 1:1 mapping and a REDIRECT (the
 * interface's address) are left to their own rewrite.
 */
function unchanged(set: PacketSet, to: NatRewrite): PacketSet {
  if (!to.addr || to.map || to.addr.lo !== to.addr.hi) return PacketSet.empty();
  const at = set.intersect(PacketSet.box({ [Dim.Dst]: [[to.addr.lo, to.addr.lo]] }));
  if (at.isEmpty() || !to.ports) return at;
  const portless = at.minus(PORT_PROTO_SET());
  const kept = keptDnatPorts(to);
  return kept ? portless.union(at.intersect(dportIn(kept))) : portless;
}

/** `set` with port `dim` rewritten to `ports` where the protocol has ports. */
function rewritePorts(set: PacketSet, dim: Dim, ports: readonly [number, number]): PacketSet {
  const withPorts = PORT_PROTO_SET();
  return set.intersect(withPorts).rewrite(dim, [[BigInt(ports[0]), BigInt(ports[1])]]).union(set.minus(withPorts));
}

/**
 * A DNAT's flows: with a range of ports, the packets whose port it keeps (keptDnatPorts) go on as
 * their own flow, only their address rewritten; the others get a port of the range.
 */
function applyDnat(f: Flow, to: NatRewrite, rule: Rule): Flow[] {
  const keeps = keptDnatPorts(to);
  if (keeps && keeps[1] > keeps[0]) {
    const inRange = dportIn(keeps);
    const kept = f.set.intersect(inRange);
    if (!kept.isEmpty()) {
      const rest = f.set.minus(inRange);
      const out = [rewriteDestination({ ...f, set: kept }, to, rule, false)];
      if (!rest.isEmpty()) out.push(rewriteDestination({ ...f, set: rest }, to, rule, true));
      return out;
    }
  }
  return [rewriteDestination(f, to, rule, true)];
}

/** A DNAT's rewrite of one flow: the address, and the port when `ports` (see applyDnat). */
function rewriteDestination(f: Flow, to: NatRewrite, rule: Rule, ports: boolean): Flow {
  let set = f.set;
  const dims: Dim[] = [];
  let nondeterministic = false;
  // a 1:1 mapping moves each address block by its offset; a range without one is a choice
  const shifts = to.map ? mappedBlocks(to, set.valuesOf(Dim.Dst)) : undefined;
  const redirect = to.addr === undefined;
  if (shifts) {
    const from = set;
    set = PacketSet.unionAll(shifts.map((b) => from.translate(Dim.Dst, b.lo, b.hi, b.delta)));
    dims.push(Dim.Dst);
  } else if (to.addr) {
    set = set.rewrite(Dim.Dst, [[to.addr.lo, to.addr.hi]]);
    dims.push(Dim.Dst);
    if (to.addr.hi > to.addr.lo) nondeterministic = true;
  } else {
    set = set.rewrite(Dim.Dst, [[0n, familyMax(6)]]);
    dims.push(Dim.Dst);
  }
  if (to.ports && ports) {
    set = rewritePorts(set, Dim.Dport, to.ports);
    dims.push(Dim.Dport);
    if (to.ports[1] > to.ports[0]) nondeterministic = true;
  }
  const why = nondeterministic ? [`${placeRef(rule.span)} rewrites to one of several destinations`] : [];
  // The kernel sends a redirected packet to the incoming interface's (first) address.
  if (redirect) why.push(`${placeRef(rule.span)} redirects to this host's address on the incoming interface, which the ruleset does not give`);
  const choice = why.length > 0 ? { set, assumptions: why } : undefined;
  return {
    set,
    certain: f.certain && !choice,
    ...(f.ordinary && !choice ? { ordinary: true as const } : {}),
    ...(f.extraordinary ? { extraordinary: true as const } : {}),
    nat: [...f.nat, { before: f.set, dims, rule, ...(choice ? { choice } : {}), ...(shifts ? { shifts, shiftDim: Dim.Dst } : {}) }],
    assumptions: [...f.assumptions, ...why],
    ...markOf(f),
  };
}

/**
 * Source NAT: the chains after it see the new source. MASQUERADE takes the outgoing interface's
 * address, SNAT one of its range (a 1:1 NETMAP moves each block); a port range is a choice too.
 */
function applySnat(f: Flow, to: NatRewrite, rule: Rule): Flow {
  let set = f.set;
  const dims: Dim[] = [Dim.Src];
  let chosen = !to.addr;
  const shifts = to.map ? mappedBlocks(to, set.valuesOf(Dim.Src)) : undefined;
  if (shifts) {
    const from = set;
    set = PacketSet.unionAll(shifts.map((b) => from.translate(Dim.Src, b.lo, b.hi, b.delta)));
  } else {
    set = set.rewrite(Dim.Src, [[to.addr?.lo ?? 0n, to.addr?.hi ?? familyMax(6)]]);
    if (to.addr && to.addr.hi > to.addr.lo) chosen = true;
  }
  if (to.ports) {
    set = rewritePorts(set, Dim.Sport, to.ports);
    dims.push(Dim.Sport);
    if (to.ports[1] > to.ports[0]) chosen = true;
  }
  const what = to.addr ? "one address of its range" : "the outgoing interface's address, which the ruleset does not give";
  const choice = chosen ? { set, assumptions: [`${placeRef(rule.span)} rewrites the source to ${what}`] } : undefined;
  return {
    set,
    certain: f.certain && !choice,
    ...(f.ordinary && !choice ? { ordinary: true as const } : {}),
    ...(f.extraordinary ? { extraordinary: true as const } : {}),
    nat: [...f.nat, { before: f.set, dims, rule, ...(choice ? { choice } : {}), ...(shifts ? { shifts, shiftDim: Dim.Src } : {}) }],
    assumptions: choice ? [...f.assumptions, ...choice.assumptions] : f.assumptions,
    ...markOf(f),
  };
}

/**
 * A flow uncertain only because its last rewrite chose a value the ruleset does not give (a
 * REDIRECT's or MASQUERADE's interface address) or one of a range: the part of it accepted whatever the choice -
 * the packets whose every variant in the rewritten dimensions the rewrite could have given was
 * accepted along this flow. Undefined for other flows.
 */
function chosenSure(f: Flow): PacketSet | undefined {
  const last = f.nat[f.nat.length - 1];
  const c = last?.choice;
  if (c === undefined || f.assumptions.length !== c.assumptions.length || f.assumptions.some((a, i) => a !== c.assumptions[i])) return undefined;
  const delivered = f.factor ? f.set.intersect(f.factor) : f.set;
  const elsewhere = c.set.minus(delivered).forget(last!.dims);
  return delivered.minus(elsewhere);
}

/**
 * The packets that a NAT step may have made into `delivered`: the rewritten dimensions are
 * forgotten, but a 1:1 mapping of an address is moved back block by block.
 */
function preimage(delivered: PacketSet, frame: NatFrame): PacketSet {
  const shifts = frame.shifts;
  const dim = frame.shiftDim;
  if (!shifts || dim === undefined) return delivered.forget(frame.dims);
  const open = delivered.forget(frame.dims.filter((d) => d !== dim));
  return PacketSet.unionAll(shifts.map((b) => open.translate(dim, b.lo + b.delta, b.hi + b.delta, -b.delta)));
}

/** Assumptions "the DNAT target is this host's" a flow's NAT history needs and does not carry yet. */
function pendingLocalAssumptions(f: Flow): string[] {
  const out: string[] = [];
  for (const n of f.nat) {
    if (n.rule.action.kind !== "dnat") continue;
    const a = inboundDnatAssumption("inbound", n.rule.action.to, n.rule);
    if (a !== undefined && !f.assumptions.includes(a) && !out.includes(a)) out.push(a);
  }
  return out;
}

/**
 * The inbound path after a DNAT to another address: routing sends the packet to its new
 * destination, which is this host only if the address is one of the host's own. The stage's work
 * is shared with the forward path, so the inbound view is derived here: such flows go on
 * uncertain, and may equally have left the input path (an uncertain drop).
 */
function inboundAfterDnat(flows: Flow[], uncertainDrops: Flow[]): Flow[] {
  return flows.map((f) => {
    const pending = pendingLocalAssumptions(f);
    if (pending.length === 0) return f;
    uncertainDrops.push(ordinaryAs({ ...f, certain: false, assumptions: [...f.assumptions, ...pending.map((a) => `not: ${a}`)], key: undefined }, false));
    return ordinaryAs({ ...f, certain: false, assumptions: [...f.assumptions, ...pending], key: undefined }, false);
  });
}

/**
 * Nodes and flat pieces past which taking one batch out of a certain flow is too dear: the chain's
 * run keeps what its later batches take pending (Flow.pending). A flow that stays cheap to cut is
 * cut at each batch, which costs less than the lookups pending takes need (an ACL of 10k entries,
 * half of them naming an ipset or a `recent` list: 10% more with them).
 */
let lazyWork = 32_000;

/** Nodes and flat pieces built so far. */
function builtSoFar(): number {
  return nodesCreated() + flatPiecesHeld();
}

/** The flows with what is pending taken out of them (those left empty dropped). */
function settled(flows: Flow[]): Flow[] {
  if (!flows.some((f) => f.pending)) return flows;
  const out: Flow[] = [];
  for (const f of flows) {
    if (!f.pending) {
      out.push(f);
      continue;
    }
    const { pending, ...plain } = f;
    const set = pending.outside(f.set);
    if (!set.isEmpty()) out.push({ ...plain, set });
  }
  return out;
}

/** The flows, each with pending takes settled where it has the fate of another (compact joins those). */
function settledWhereJoined(flows: Flow[]): Flow[] {
  if (!flows.some((f) => f.pending)) return flows;
  const seen = new Map<string, number>();
  for (const f of flows) {
    const k = flowKey(f);
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return flows.flatMap((f) => (f.pending && seen.get(flowKey(f))! > 1 ? settled([f]) : [f]));
}

/** Rules matching at least this many address ranges or set elements are large (largeFilter). */
let factorMinRanges = 256;
/** Batches of ACCEPT/DROP rules are accounted for as a whole (see runChain). */
let accountRuns = true;
/** Flows returned by jumped-to chains are kept apart, with their bound (see runChain). */
let keepApart = true;
/** Whether a verdict map's jumps are run as one (Evaluator.jumpGroup); off, one by one (tests compare the two). */
let jumpGroups = true;
/** Flows kept apart (see runChain) are joined this many at a time, with their bounds (see compact). */
let apartFanout = 16;

/**
 * Turns the evaluator's shortcuts off or on, for tests that check that they change no result:
 * `runs` (batches of ACCEPT/DROP rules accounted for as a whole), `batchSteps` (how many uncertain
 * rules one such batch takes at most; 0: none), `largeFilterMin` (the size from
 * which a rule's set is kept aside as a factor; Infinity: never), `apart` (flows returned by
 * jumped-to chains kept apart, with the bound of the jump) and `apartFanout` (how many of those
 * are joined at a time, at least 2); and the bounds on uncertain fates, `maxUncertainFates` and
 * `maxApart` (see Evaluator.boundFates), and on the assumptions a joined flow names,
 * `maxJoinedAssumptions`, for tests that check what joining fates keeps; `lazyWork` (what cutting
 * one batch out of a flow may build before a chain's run keeps later batches' takes pending,
 * Flow.pending; -1: after the first batch whatever it built, Infinity: never).
 */
export function configureEvaluator(opts: { runs?: boolean; batchSteps?: number; largeFilterMin?: number; apart?: boolean; apartFanout?: number; maxUncertainFates?: number; maxApart?: number; maxJoinedAssumptions?: number; lazyWork?: number; jumpGroups?: boolean }): void {
  if (opts.jumpGroups !== undefined) jumpGroups = opts.jumpGroups;
  if (opts.lazyWork !== undefined) lazyWork = opts.lazyWork;
  if (opts.maxJoinedAssumptions !== undefined) maxJoinedAssumptions = opts.maxJoinedAssumptions;
  if (opts.batchSteps !== undefined) maxBatchSteps = Math.max(0, opts.batchSteps);
  if (opts.maxUncertainFates !== undefined) maxUncertainFates = opts.maxUncertainFates;
  if (opts.maxApart !== undefined) maxApart = opts.maxApart;
  if (opts.apartFanout !== undefined) apartFanout = Math.max(2, opts.apartFanout);
  if (opts.runs !== undefined) accountRuns = opts.runs;
  if (opts.apart !== undefined) keepApart = opts.apart;
  if (opts.largeFilterMin !== undefined) factorMinRanges = opts.largeFilterMin;
}

const ruleSizes = new WeakMap<Rule, number>();
const complements = new WeakMap<PacketSet, PacketSet>();

/** Address ranges and set elements a rule's conditions list. */
function ruleSize(rule: Rule): number {
  let n = ruleSizes.get(rule);
  if (n === undefined) {
    const size = (cs: readonly Condition[]): number =>
      cs.reduce((k, c) => k + (c.kind === "addr" ? c.ranges.length : c.kind === "or" ? c.anyOf.length + c.anyOf.reduce((j, alt) => j + size(alt), 0) : 0), 0);
    ruleSizes.set(rule, (n = size(rule.conditions)));
  }
  return n;
}

/**
 * For a certain ACCEPT/DROP/REJECT rule that tests a large set - a blocklist of thousands of
 * addresses and networks, a set of address . port pairs - the packets that go past it. Every
 * later rule in the chain would otherwise carry that set in each of its results; kept aside as
 * the flows' factor, it is intersected in once, where the chain's outcomes leave it. Undefined
 * for any other rule.
 */
function largeFilter(rule: Rule, known: PacketSet): PacketSet | undefined {
  if (ruleSize(rule) < factorMinRanges) return undefined;
  let keep = complements.get(known);
  if (!keep) complements.set(known, (keep = known.complement()));
  return keep;
}

/**
 * The fate an acceptFactor is kept for: fateKey and the packet mark, which later chains may test
 * (a blocklist's ACCEPT before a jump that marks, then a chain accepting marked packets: the
 * widened factor told the blocklist's unmarked packets accepted with the mark).
 */
function acceptFate(f: Flow): string {
  return `${fateKey(f)}|${f.mark ?? "?"}`;
}

/**
 * The acceptFactor of flow `f` once it went past a large rule that lets `keep` past, its factor
 * becoming `factor`: an ACCEPT adds nothing to it (what it takes out, it accepted with f's fate),
 * a DROP or REJECT adds `keep` (undefined: the same as the factor).
 */
function passedLarge(f: Flow, accept: boolean, keep: PacketSet, factor: PacketSet): Flow["acceptFactor"] {
  const fate = acceptFate(f);
  const valid = f.acceptFactor?.fate === fate;
  if (!accept && !valid) return undefined;
  const before = valid ? f.acceptFactor!.factor : f.factor;
  if (accept) return { factor: before, fate };
  return { factor: before === f.factor ? factor : before ? intersectFactor(keep, before) : keep, fate };
}

/**
 * `f` marked ordinary (Flow.ordinary) or not; and, when `extraordinary` is given, as never taken
 * by ordinary traffic (Flow.extraordinary) or not (kept as it was otherwise).
 */
function ordinaryAs(f: Flow, ordinary: boolean, extraordinary?: boolean): Flow {
  const { ordinary: _was, extraordinary: wasExtraordinary, ...rest } = f;
  const never = extraordinary ?? wasExtraordinary === true;
  return { ...rest, ...(ordinary ? { ordinary: true as const } : {}), ...(never ? { extraordinary: true as const } : {}) };
}

/** The flow with its factor intersected in, kept split: built only where something needs the whole set. */
function materialized(f: Flow): Flow {
  if (!f.factor) return f;
  return {
    set: PacketSet.factored(f.set, f.factor),
    certain: f.certain,
    ...(f.ordinary ? { ordinary: true as const } : {}),
    ...(f.extraordinary ? { extraordinary: true as const } : {}),
    nat: f.nat,
    assumptions: f.assumptions,
    ...markOf(f),
  };
}

/** A flow's mark as a field to spread into another flow (none when not known). */
function markOf(f: Flow): Pick<Flow, "mark"> {
  return f.mark === undefined ? {} : { mark: f.mark };
}

/** The flows grouped by their marks. */
function byMark(flows: Flow[]): Flow[][] {
  const groups = new Map<number | undefined, Flow[]>();
  for (const f of flows) {
    const g = groups.get(f.mark);
    if (g) g.push(f);
    else groups.set(f.mark, [f]);
  }
  return [...groups.values()];
}

/** A chain's outcomes with their factors intersected in, flows of one fate joined first. */
function withoutFactors(res: ChainResult): ChainResult {
  const apply = (fs: Flow[]): Flow[] => {
    if (!fs.some((f) => f.factor)) return fs;
    const out: Flow[] = [];
    for (const f of mergeFlows(fs)) {
      if (!f.factor) {
        out.push(f);
        continue;
      }
      const m = materialized(f);
      if (!m.set.isEmpty()) out.push(m);
    }
    return out;
  };
  // An accepted flow takes its acceptFactor when its fate is still the one that factor was made for.
  const accepted = res.accepted.map((f) =>
    f.acceptFactor && f.acceptFactor.fate === acceptFate(f) ? { ...f, factor: f.acceptFactor.factor, acceptFactor: undefined, key: undefined } : f,
  );
  return { accepted: apply(accepted), dropped: apply(res.dropped), returned: apply(res.returned) };
}

/**
 * Joins flows of one fate, except those that jumped-to chains returned: joined into the flow that
 * did not jump, they would make it carry every called chain's structure, and each later rule - the
 * next of 500 jumps of a verdict map, say - would walk all of it. Those stay apart with their bound
 * (Flow.within), which later rules test without walking the flow; apartFanout of
 * them at a time are joined into one with the union of their bounds, so a chain of thousands of
 * jumps keeps a few dozen flows apart, not thousands.
 */
function compact(flows: Flow[]): Flow[] {
  if (!keepApart || !flows.some((f) => f.within)) return mergeFlows(flows);
  const out = mergeFlows(flows.filter((f) => !f.within));
  const apart = flows.filter((f) => f.within);
  if (apart.length <= apartFanout) return [...out, ...apart];
  const groups = new Map<string, Flow[]>();
  const add = (f: Flow) => {
    const key = apartKey(f);
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  };
  apart.forEach(add);
  for (let again = true; again; ) {
    again = false;
    for (const [key, g] of groups) {
      if (g.length <= apartFanout) continue;
      groups.delete(key);
      const level = (g[0]!.apartLevel ?? 0) + 1;
      for (let i = 0; i < g.length; i += apartFanout) {
        const part = g.slice(i, i + apartFanout);
        if (part.length < apartFanout) {
          part.forEach(add);
          continue;
        }
        add({ ...part[0]!, set: PacketSet.unionAll(part.map((f) => f.set)), within: PacketSet.unionAll(part.map((f) => f.within!)), apartLevel: level });
      }
      again = true;
      break;
    }
  }
  for (const g of groups.values()) pushAll(out, g);
  return out;
}

/**
 * A kept-apart flow's group in compact: its fate and level. The same string object each time, so
 * the Map lookup reuses its hash: compact runs after every rule and sees every flow kept apart
 * again (nft bench, a verdict map of 500 jumps: the keys are long, with their assumptions).
 */
const apartKeys = new WeakMap<Flow, string>();
function apartKey(f: Flow): string {
  let k = apartKeys.get(f);
  if (k === undefined) apartKeys.set(f, (k = `${flowKey(f)}#${f.apartLevel ?? 0}`));
  return k;
}

/**
 * The flows kept apart (Flow.within) that meet `known` rejoined with the other flows of their fate:
 * the rule about to act on them acts on one flow, as it would have without the keeping apart (a
 * chain that jumps to a marking chain and then on to more rules over the same packets). Those
 * that cannot meet it stay apart, told by their bound first.
 */
function rejoinMet(flows: Flow[], known: PacketSet): Flow[] {
  let met = false;
  const p = Projections.of(known);
  const out = flows.map((f) => {
    if (!f.within || !Projections.of(f.within).mayMeet(p) || !f.within.overlaps(known) || !f.set.overlaps(known)) return f;
    met = true;
    return joined(f, f.set);
  });
  return met ? compact(out) : out;
}

/** A flow like `f` whose set is `set`, which may lie outside f's bound (`within`). */
function joined(f: Flow, set: PacketSet): Flow {
  const { within: _within, apartLevel: _level, apartPastUnknown: _own, ...rest } = f;
  return { ...rest, set };
}

/** `f` past the notrack `rule` of `stage`: the packets it takes (notrackTakes) made untracked, the rest as they were. */
function untrackedBy(f: Flow, rule: Rule, stage: Stage): Flow[] {
  const m = materialized(f);
  const states = CT_STATES.filter((st) => notrackTakes(stage, st));
  if (states.length === CT_STATES.length) return [untracked(m, rule)];
  const taken = m.set.intersect(PacketSet.box({ [Dim.CtState]: states.map((st) => [BigInt(ctIndex(st)), BigInt(ctIndex(st))] as const) }));
  if (taken.isEmpty()) return [f];
  const rest = m.set.minus(taken);
  const made = untracked({ ...m, set: taken, key: undefined }, rule);
  return rest.isEmpty() ? [made] : [made, { ...m, set: rest, key: undefined }];
}

/** `f`'s packets made untracked by the notrack `rule`, the rewrite kept in their history (NatFrame.untracks). */
function untracked(f: Flow, rule: Rule): Flow {
  return { ...joined(f, untrackedSet(f.set)), nat: [...f.nat, { before: f.set, dims: [Dim.CtState], rule, untracks: true }], key: undefined };
}

/** The packets of `set` with connection state UNTRACKED (what a notrack makes of them). */
function untrackedSet(set: PacketSet): PacketSet {
  const state = BigInt(ctIndex("untracked"));
  return set.rewrite(Dim.CtState, [[state, state]]);
}

/**
 * Appends `from` to `to` one by one: a spread call passes each flow as an argument, and thousands
 * of uncertain flows overflowed the stack.
 */
function pushAll<T>(to: T[], from: readonly T[]): void {
  for (const x of from) to.push(x);
}

/** Joins flows that share their fate so far (same certainty, same NAT history). */
function mergeFlows(flows: Flow[]): Flow[] {
  if (flows.length < 2) return flows;
  return joinGroups(
    flows.filter((f) => !f.set.isEmpty()),
    flowKey,
    (g) => joined(g[0]!, unionFactored(g.map((f) => f.set))),
  );
}

/**
 * Assumptions a flow joined from others (Evaluator.boundFates) names at most: past them, one that
 * says there are more. Joined again and again, each split of a joined flow copied all of them - an
 * ACL of 8,000 entries, every tenth naming a group with an fqdn object, carried 1.3 million across
 * its flows, and keys of 60 kB were made of them. A finding names at most five (the first ones).
 */
let maxJoinedAssumptions = 32;
/** The last assumption of a joined flow cut at maxJoinedAssumptions whose others are all drawn (AcceptedRegion.drawn). */
const MORE_DRAWN = "further conditions drawn per packet or connection (fates joined)";
/** ... and of one whose others are not all drawn. */
const MORE_UNMODELLED = "further unmodelled conditions (fates joined)";

/**
 * The assumptions of flows joined into one (whose assumptions are all drawn, or not, alike): theirs,
 * each once and in order, up to maxJoinedAssumptions, and then a note that there are more (the
 * notes of flows joined before are not counted, and go to the end).
 */
function joinedAssumptions(flows: readonly Flow[], drawnOnly: boolean): string[] {
  const out = new Set<string>();
  let cut = false;
  for (const f of flows) {
    for (const a of f.assumptions) {
      if (a === MORE_DRAWN || a === MORE_UNMODELLED) cut = true;
      else if (!out.has(a)) {
        if (out.size === maxJoinedAssumptions) cut = true;
        else out.add(a);
      }
    }
  }
  return cut ? [...out, drawnOnly ? MORE_DRAWN : MORE_UNMODELLED] : [...out];
}

/**
 * `flows` grouped by `keyOf`, each group of two or more made one by `join`: the flows without a key
 * first, as they came, then the groups in order of their first flow.
 */
function joinGroups(flows: readonly Flow[], keyOf: (f: Flow) => string | undefined, join: (group: Flow[]) => Flow): Flow[] {
  const out: Flow[] = [];
  const groups = new Map<string, Flow[]>();
  for (const f of flows) {
    const key = keyOf(f);
    if (key === undefined) {
      out.push(f);
      continue;
    }
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  for (const g of groups.values()) out.push(g.length === 1 ? g[0]! : join(g));
  return out;
}

export function evaluateRuleset(ruleset: Ruleset): { results: PipelineResult[]; diagnostics: Diagnostic[] } {
  const ev = new Evaluator(ruleset);
  const results = ruleset.pipelines.map((p) => ev.evaluate(p));
  return { results, diagnostics: ev.diagnostics };
}

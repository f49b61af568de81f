/**
 * Property tests of the packet-set algebra against a brute-force reference.
 *
 * Each test domain D is a small product of hand-picked values per dimension (a few hundred to a
 * few thousand points). Sets are drawn as random expressions over random boxes intersected with
 * D; the reference evaluates the same expression as a bitmask over the enumerated points of D,
 * using an independent statement of the universe of well-formed packets. Because every drawn
 * set lies inside D, pointwise agreement on D plus equality with a set rebuilt point by point
 * from the reference proves the implementation exact.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DIM_COUNT, DIM_MAX, Dim, PORT_PROTOS, V4_MAX, V6_MAX, ifacePrefixRange, ifaceToValue } from "../../src/space/dims.js";
import * as idd from "../../src/space/idd.js";
import type { Node } from "../../src/space/idd.js";
import { PacketSet, type BoxSpec, type Ranges } from "../../src/space/packet-set.js";

const SEED = 0x5eed_f1;
fc.configureGlobal({ seed: SEED });

type Range = readonly [bigint, bigint];
type Point = readonly bigint[];

// ---------------------------------------------------------------------------------------------
// Independent model of the universe (from the documentation of packet-set.ts).

const ICMP4 = 1n;
const ICMP6 = 58n;
const TCP = 6n;
const UDP = 17n;
const GRE = 47n;

function wellFormed(p: Point): boolean {
  const fam = p[Dim.Family]!;
  if (fam !== 4n && fam !== 6n) return false;
  const amax = fam === 4n ? V4_MAX : V6_MAX;
  if (p[Dim.Src]! > amax || p[Dim.Dst]! > amax) return false;
  for (let d = 0; d < DIM_COUNT; d++) if (p[d]! < 0n || p[d]! > DIM_MAX[d]!) return false;
  const proto = p[Dim.Proto]!;
  if (!PORT_PROTOS.includes(Number(proto)) && (p[Dim.Sport] !== 0n || p[Dim.Dport] !== 0n)) return false;
  const icmp = fam === 4n ? ICMP4 : ICMP6;
  if (proto !== icmp && (p[Dim.IcmpType] !== 0n || p[Dim.IcmpCode] !== 0n)) return false;
  if (proto !== TCP && p[Dim.TcpFlags] !== 0n) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Test domains.

const iface = (name: string): Range => {
  const v = ifaceToValue(name);
  return [v, v];
};

interface Domain {
  name: string;
  /** Sorted distinct values per dimension; D is their product. */
  values: bigint[][];
  /** Dimensions random boxes constrain. */
  varying: Dim[];
  /** Candidate ranges per varying dimension (built from interesting endpoints). */
  rangeArb: (d: Dim) => fc.Arbitrary<Range>;
  /** Universe imposes no cross-dimension constraint on these dims beyond an upper bound. */
  simpleRewrite: boolean;
}

const IFACE_NAMES = ["et", "eth", "eth0", "eth10", "lo"];
const IFACE_RANGES: Range[] = [
  ...IFACE_NAMES.map(iface),
  iface("eth1"),
  ifacePrefixRange("eth"),
  ifacePrefixRange("eth1"),
  ifacePrefixRange("e"),
  ifacePrefixRange("lo"),
  ifacePrefixRange(""),
];

function sortedUnique(vs: bigint[]): bigint[] {
  return [...new Set(vs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function makeDomain(
  name: string,
  fixed: Partial<Record<Dim, bigint[]>>,
  extraEndpoints: Partial<Record<Dim, bigint[]>>,
  simpleRewrite: boolean,
): Domain {
  const values: bigint[][] = [];
  for (let d = 0; d < DIM_COUNT; d++) values.push(sortedUnique(fixed[d as Dim] ?? [0n]));
  const varying: Dim[] = [];
  for (let d = 0; d < DIM_COUNT; d++) if (values[d]!.length > 1) varying.push(d as Dim);
  const endpoints: bigint[][] = values.map((vs, d) => {
    const max = DIM_MAX[d]!;
    const e: bigint[] = [0n, max, ...(extraEndpoints[d as Dim] ?? [])];
    for (const v of vs) e.push(v, v - 1n, v + 1n);
    return sortedUnique(e.filter((x) => x >= 0n && x <= max));
  });
  const rangeArb = (d: Dim): fc.Arbitrary<Range> => {
    if (d === Dim.Iif || d === Dim.Oif) return fc.constantFrom(...IFACE_RANGES);
    const ends = endpoints[d]!;
    const main = sortedUnique([0n, DIM_MAX[d]!, ...values[d]!]);
    const end = fc.oneof({ arbitrary: fc.constantFrom(...main), weight: 3 }, { arbitrary: fc.constantFrom(...ends), weight: 1 });
    return fc
      .tuple(end, end, fc.nat(15))
      .map(([a, b, k]): Range => (k === 0 && a !== b ? [b > a ? b : a, b > a ? a : b] : a <= b ? [a, b] : [b, a])); // occasionally an empty (reversed) range
  };
  return { name, values, varying, rangeArb, simpleRewrite };
}

const ip4 = (a: number, b: number, c: number, d: number) => BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d);
const NET10 = ip4(10, 0, 0, 0);

/** Family 4, TCP; the dimensions a filter rule usually tests vary. */
const DOMAIN_V4_TCP = makeDomain(
  "v4-tcp",
  {
    [Dim.Family]: [4n],
    [Dim.CtState]: [0n, 1n, 4n],
    [Dim.Proto]: [TCP],
    [Dim.Iif]: IFACE_NAMES.map(ifaceToValue),
    [Dim.Dst]: [NET10, NET10 + 1n, NET10 + 3n, V4_MAX],
    [Dim.Dport]: [0n, 1n, 2n, 5n],
    [Dim.Sport]: [1n, 65535n],
    [Dim.TcpFlags]: [0x12n],
    [Dim.Src]: [NET10, NET10 + 1n, V4_MAX - 1n, V4_MAX],
  },
  { [Dim.Dst]: [V4_MAX + 1n, ip4(10, 0, 0, 255)], [Dim.Src]: [V4_MAX + 1n, ip4(10, 255, 255, 255)] },
  true,
);

/** Family 6, TCP, addresses near 0, the IPv4-sized boundary and 2^128-1. */
const DOMAIN_V6_TCP = makeDomain(
  "v6-tcp",
  {
    [Dim.Family]: [6n],
    [Dim.CtState]: [0n, 3n],
    [Dim.Proto]: [TCP],
    [Dim.Iif]: [ifaceToValue("eth0"), ifaceToValue("lo")],
    [Dim.Dst]: [0n, 1n, 2n, V6_MAX - 1n, V6_MAX],
    [Dim.Dport]: [22n, 80n],
    [Dim.TcpFlags]: [0n, 2n],
    [Dim.Src]: [0n, 1n, V4_MAX, V4_MAX + 1n, 1n << 64n, V6_MAX],
  },
  { [Dim.Dst]: [1n << 127n], [Dim.Src]: [(1n << 64n) - 1n, 1n << 127n] },
  true,
);

/** Both families and several protocols, with malformed combinations present in D. */
const DOMAIN_MIXED = makeDomain(
  "mixed",
  {
    [Dim.Family]: [4n, 6n],
    [Dim.Proto]: [ICMP4, TCP, UDP, GRE, ICMP6],
    [Dim.Iif]: [ifaceToValue("eth0")],
    [Dim.Oif]: [ifaceToValue("eth1")],
    [Dim.Dst]: [1n, 1n << 32n],
    [Dim.Dport]: [0n, 22n],
    [Dim.Sport]: [0n, 7n],
    [Dim.IcmpType]: [0n, 8n],
    [Dim.IcmpCode]: [0n, 1n],
    [Dim.TcpFlags]: [0n, 2n],
    [Dim.Src]: [0n, V4_MAX, V4_MAX + 1n],
  },
  { [Dim.Family]: [3n, 5n], [Dim.Proto]: [0n, 255n] },
  false,
);

// ---------------------------------------------------------------------------------------------
// Reference: bitmasks over the enumerated points of a domain.

interface Ref {
  dom: Domain;
  points: Point[];
  index: Map<string, number>;
  all: bigint;
  /** Well-formed points of D. */
  wf: bigint;
  /** D as a raw decision diagram (not intersected with the universe). */
  dRaw: PacketSet;
}

const keyOf = (p: Point) => p.join(",");

function buildRef(dom: Domain): Ref {
  const points: Point[] = [];
  const rec = (d: number, acc: bigint[]) => {
    if (d === DIM_COUNT) {
      points.push(acc.slice());
      return;
    }
    for (const v of dom.values[d]!) {
      acc.push(v);
      rec(d + 1, acc);
      acc.pop();
    }
  };
  rec(0, []);
  const index = new Map<string, number>();
  points.forEach((p, i) => index.set(keyOf(p), i));
  const all = (1n << BigInt(points.length)) - 1n;
  let dNode: Node = idd.FULL;
  for (let d = DIM_COUNT - 1; d >= 0; d--) dNode = idd.mkRanges(d, dom.values[d]!.map((v): Range => [v, v]), dNode);
  const ref: Ref = { dom, points, index, all, wf: 0n, dRaw: PacketSet.fromNode(dNode) };
  ref.wf = maskOf(ref, wellFormed);
  return ref;
}

function maskOf(ref: Ref, pred: (p: Point) => boolean): bigint {
  const bits: string[] = [];
  for (let i = ref.points.length - 1; i >= 0; i--) bits.push(pred(ref.points[i]!) ? "1" : "0");
  return BigInt("0b" + bits.join(""));
}

function bitsOf(ref: Ref, m: bigint): Uint8Array {
  const s = m.toString(2);
  const out = new Uint8Array(ref.points.length);
  for (let i = 0; i < s.length; i++) if (s[s.length - 1 - i] === "1") out[i] = 1;
  return out;
}

function members(ref: Ref, m: bigint): Point[] {
  const b = bitsOf(ref, m);
  return ref.points.filter((_, i) => b[i] === 1);
}

/**
 * The set rebuilt from the reference (raw: no universe involved), one dimension at a time over
 * the mixed-radix point numbering: points are enumerated with dimension 0 outermost.
 */
function fromRef(ref: Ref, m: bigint): PacketSet {
  const b = bitsOf(ref, m);
  const sizes = ref.dom.values.map((vs) => vs.length);
  const build = (d: number, base: number): Node => {
    if (d === DIM_COUNT) return b[base] ? idd.FULL : idd.EMPTY;
    let stride = 1;
    for (let e = d + 1; e < DIM_COUNT; e++) stride *= sizes[e]!;
    const byKid = new Map<Node, Range[]>();
    ref.dom.values[d]!.forEach((v, k) => {
      const kid = build(d + 1, base + k * stride);
      if (kid === idd.EMPTY) return;
      const rs = byKid.get(kid) ?? [];
      rs.push([v, v]);
      byKid.set(kid, rs);
    });
    return idd.orAll([...byKid].map(([kid, rs]) => idd.mkRanges(d, rs, kid)));
  };
  return PacketSet.fromNode(build(0, 0));
}

const inRanges = (v: bigint, rs: Ranges) => rs.some(([lo, hi]) => lo <= v && v <= hi);

function boxPred(spec: BoxSpec): (p: Point) => boolean {
  return (p) => {
    for (let d = 0; d < DIM_COUNT; d++) {
      const rs = spec[d as Dim];
      if (rs && !inRanges(p[d]!, rs)) return false;
    }
    return wellFormed(p);
  };
}

// ---------------------------------------------------------------------------------------------
// Expressions.

type Expr =
  | { k: "box"; spec: BoxSpec }
  | { k: "u" | "i" | "m"; a: Expr; b: Expr }
  | { k: "c"; a: Expr };

function boxArb(dom: Domain): fc.Arbitrary<BoxSpec> {
  return fc
    .tuple(
      ...dom.varying.map((d) =>
        fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 24 },
          { arbitrary: fc.array(dom.rangeArb(d), { minLength: 1, maxLength: 2 }), weight: 11 },
          { arbitrary: fc.constant([]), weight: 1 },
        ),
      ),
    )
    .map((rs) => {
      const spec: BoxSpec = {};
      dom.varying.forEach((d, i) => {
        const r = rs[i];
        if (r) spec[d] = r;
      });
      return spec;
    });
}

function exprArb(dom: Domain): fc.Arbitrary<Expr> {
  const { expr } = fc.letrec<{ expr: Expr; leaf: Expr; node: Expr }>((tie) => ({
    expr: fc.oneof({ depthSize: "small", maxDepth: 4 }, tie("leaf"), tie("node")),
    leaf: boxArb(dom).map((spec): Expr => ({ k: "box", spec })),
    node: fc.oneof(
      { arbitrary: fc.record({ k: fc.constant("u" as const), a: tie("expr"), b: tie("expr") }), weight: 4 },
      { arbitrary: fc.record({ k: fc.constantFrom("i" as const, "m" as const), a: tie("expr"), b: tie("expr") }), weight: 3 },
      { arbitrary: fc.record({ k: fc.constant("c" as const), a: tie("expr") }), weight: 1 },
    ),
  }));
  return expr;
}

function evalSet(ref: Ref, e: Expr): PacketSet {
  switch (e.k) {
    case "box":
      return PacketSet.box(e.spec).intersect(ref.dRaw);
    case "u":
      return evalSet(ref, e.a).union(evalSet(ref, e.b));
    case "i":
      return evalSet(ref, e.a).intersect(evalSet(ref, e.b));
    case "m":
      return evalSet(ref, e.a).minus(evalSet(ref, e.b));
    case "c":
      return evalSet(ref, e.a).complement().intersect(ref.dRaw);
  }
}

function evalRef(ref: Ref, e: Expr): bigint {
  switch (e.k) {
    case "box":
      return maskOf(ref, boxPred(e.spec));
    case "u":
      return evalRef(ref, e.a) | evalRef(ref, e.b);
    case "i":
      return evalRef(ref, e.a) & evalRef(ref, e.b);
    case "m":
      return evalRef(ref, e.a) & ~evalRef(ref, e.b);
    case "c":
      return ref.wf & ~evalRef(ref, e.a);
  }
}

// ---------------------------------------------------------------------------------------------
// Structural invariants of the diagrams.

const seenShapes = new Map<string, number>();

function checkNode(root: Node): void {
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    if (n === idd.EMPTY || n === idd.FULL) continue;
    expect(n.level).toBeGreaterThanOrEqual(0);
    expect(n.level).toBeLessThan(DIM_COUNT);
    expect(n.kids.length).toBe(n.cuts.length);
    expect(n.kids.length).toBeGreaterThanOrEqual(2);
    expect(n.cuts[0]).toBe(0n);
    for (let i = 1; i < n.cuts.length; i++) {
      expect(n.cuts[i]! > n.cuts[i - 1]!).toBe(true);
      expect(n.kids[i]).not.toBe(n.kids[i - 1]);
    }
    expect(n.cuts[n.cuts.length - 1]! <= DIM_MAX[n.level]!).toBe(true);
    for (const k of n.kids) {
      expect(k.level).toBeGreaterThan(n.level);
      stack.push(k);
    }
    const shape = `${n.level}|${n.cuts.join(",")}|${n.kids.map((k) => k.id).join(",")}`;
    const prev = seenShapes.get(shape);
    if (prev === undefined) seenShapes.set(shape, n.id);
    else expect(prev, `two nodes with shape ${shape}`).toBe(n.id);
  }
}

// ---------------------------------------------------------------------------------------------
// The checks.

/** The set agrees with the mask on every point of D and has no member outside D. */
function expectExact(ref: Ref, s: PacketSet, m: bigint, what: string): void {
  const b = bitsOf(ref, m);
  for (let i = 0; i < ref.points.length; i++) {
    const p = ref.points[i]!;
    if (s.has(p) !== (b[i] === 1)) {
      throw new Error(`${what}: has(${keyOf(p)}) = ${s.has(p)}, reference says ${b[i] === 1}`);
    }
  }
  expect(s.intersect(ref.dRaw).equals(s), `${what}: has members outside the test domain`).toBe(true);
  expect(s.equals(fromRef(ref, m)), `${what}: differs from the set rebuilt from the reference`).toBe(true);
  expect(s.isEmpty()).toBe(m === 0n);
  // Values outside a dimension's range are in no set, even next to a member.
  const member = ref.points[b.indexOf(1)];
  if (member) {
    for (const d of [Dim.Family, Dim.CtState, Dim.Dport, Dim.Src]) {
      for (const v of [-1n, DIM_MAX[d]! + 1n]) {
        const q = member.slice();
        q[d] = v;
        expect(s.has(q), `${what}: has() with dim ${d} = ${v}`).toBe(false);
      }
    }
    expect(s.has(member.slice(0, DIM_COUNT - 1)), `${what}: has() of a short point`).toBe(false);
  }
  checkNode(s.node);
}

/** Pointwise agreement on D only (for results that may extend beyond D). */
function expectAgreesOnD(ref: Ref, s: PacketSet, m: bigint, what: string): void {
  const b = bitsOf(ref, m);
  for (let i = 0; i < ref.points.length; i++) {
    const p = ref.points[i]!;
    if (s.has(p) !== (b[i] === 1)) throw new Error(`${what}: has(${keyOf(p)}) = ${s.has(p)}, reference says ${b[i] === 1}`);
  }
  expect(s.intersect(ref.dRaw).equals(fromRef(ref, m)), `${what}: restricted to D differs from reference`).toBe(true);
  checkNode(s.node);
}

function checkWitness(ref: Ref, s: PacketSet, m: bigint, prefs: Partial<Record<Dim, bigint[]>>): void {
  const w = s.witness(prefs);
  if (m === 0n) {
    expect(w).toBeUndefined();
    return;
  }
  expect(w).toBeDefined();
  expect(s.has(w!)).toBe(true);
  const idx = ref.index.get(keyOf(w!));
  expect(idx, `witness ${keyOf(w!)} is not in the test domain`).toBeDefined();
  expect((m >> BigInt(idx!)) & 1n).toBe(1n);
  // Documented choice: at each dimension the first preferred value that keeps the rest
  // non-empty (given the choices made so far), else the start of the first non-empty piece,
  // which for a set inside D is the smallest value any remaining member has.
  let cands = members(ref, m);
  for (let d = 0; d < DIM_COUNT; d++) {
    let expected: bigint | undefined;
    for (const v of prefs[d as Dim] ?? []) {
      if (cands.some((p) => p[d] === v)) {
        expected = v;
        break;
      }
    }
    if (expected === undefined) expected = cands.reduce((acc, p) => (p[d]! < acc ? p[d]! : acc), cands[0]![d]!);
    expect(w![d], `witness dim ${d}`).toBe(expected);
    cands = cands.filter((p) => p[d] === expected);
  }
  // With a picker, the witness is still a member and every pick lies inside its piece.
  const wHi = s.witness(prefs, (_d, lo, hi) => {
    expect(lo <= hi).toBe(true);
    return hi;
  });
  expect(s.has(wHi!)).toBe(true);
  // corner(): the same points without preferences, at the low or the high end of each piece.
  expect(s.corner()).toEqual(s.witness());
  expect(s.corner(true)).toEqual(s.witness({}, (_d, _lo, hi) => hi));
  // farCorner(): a member at the other end - the highest value of the first dimension the set tests.
  const far = s.farCorner();
  expect(s.has(far)).toBe(true);
  const top = (s.node as Node).level;
  if (top < DIM_COUNT) expect(far[top]).toBe(s.valuesOf(top as Dim).at(-1)![1]);
}

function checkForget(ref: Ref, s: PacketSet, m: bigint, dims: Dim[]): void {
  const keep = (p: Point) => p.map((v, d) => (dims.includes(d as Dim) ? "*" : String(v))).join(",");
  const proj = new Set(members(ref, m).map(keep));
  const f = s.forget(dims);
  expectAgreesOnD(ref, f, maskOf(ref, (p) => proj.has(keep(p))), `forget(${dims})`);
  // The forgotten dimensions are unconstrained.
  expect(f.forget(dims).equals(f)).toBe(true);
  if (m !== 0n) for (const d of dims) expect(f.valuesOf(d)).toEqual([[0n, DIM_MAX[d]!]]);
  else expect(f.isEmpty()).toBe(true);
}

function checkRewrite(ref: Ref, s: PacketSet, m: bigint, dim: Dim, ranges: Range[]): void {
  const keep = (p: Point) => p.map((v, d) => (d === dim ? "*" : String(v))).join(",");
  const proj = new Set(members(ref, m).map(keep));
  const r = s.rewrite(dim, ranges);
  expectAgreesOnD(ref, r, maskOf(ref, (p) => wellFormed(p) && inRanges(p[dim]!, ranges) && proj.has(keep(p))), `rewrite(${dim})`);
  // Outside D: in the simple domains the universe bounds the rewritten dimension only by family range.
  if (ref.dom.simpleRewrite) {
    const fam = ref.dom.values[Dim.Family]![0]!;
    const bound = (dim === Dim.Src || dim === Dim.Dst) && fam === 4n ? V4_MAX : DIM_MAX[dim]!;
    const expected = m === 0n ? [] : idd.normalizeRanges(ranges, bound);
    expect(r.valuesOf(dim)).toEqual(expected);
  }
}

function checkValuesOf(ref: Ref, s: PacketSet, m: bigint): void {
  const ms = members(ref, m);
  // The values of one dimension: sorted, merged ranges covering exactly the members' values.
  const expectValues = (d: Dim, got: [bigint, bigint][], what: string) => {
    const want = new Set(ms.map((p) => p[d]!));
    for (let i = 0; i < got.length; i++) {
      expect(got[i]![0] <= got[i]![1]).toBe(true);
      if (i > 0) expect(got[i]![0] > got[i - 1]![1] + 1n, "ranges not merged").toBe(true);
    }
    let covered = 0n;
    for (const [lo, hi] of got) covered += hi - lo + 1n;
    expect(covered, `${what}(${d}) covers more than the member values`).toBe(BigInt(want.size));
    for (const v of want) expect(inRanges(v, got), `${what}(${d}) misses ${v}`).toBe(true);
  };
  for (let d = 0; d < DIM_COUNT; d++) expectValues(d as Dim, s.valuesOf(d as Dim), "valuesOf");
}

function checkMaxSource(ref: Ref, s: PacketSet, m: bigint): void {
  const counts = new Map<string, number>();
  for (const p of members(ref, m)) {
    const k = p.filter((_, d) => d !== Dim.Src).join(",");
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const want = BigInt(Math.max(0, ...counts.values()));
  expect(s.maxSourceCount()).toBe(want);
  // the widest part: exactly the members whose combination of the other dimensions the most sources reach
  const widest = s.widestSourcePart();
  if (want === 0n) expect(widest.node).toBe(s.node);
  for (const p of members(ref, m)) {
    const k = p.filter((_, d) => d !== Dim.Src).join(",");
    expect(widest.has(p), `widestSourcePart at ${p.join(",")}`).toBe(BigInt(counts.get(k)!) === want);
  }
  expect(widest.isSubsetOf(s)).toBe(true);
}

function prefsArb(dom: Domain): fc.Arbitrary<Partial<Record<Dim, bigint[]>>> {
  return fc
    .tuple(
      ...dom.varying.map((d) =>
        fc.option(
          // Mostly values of D; sometimes the largest value, or values outside the dimension.
          fc.array(
            fc.oneof(
              { arbitrary: fc.constantFrom(...dom.values[d]!), weight: 6 },
              { arbitrary: fc.constantFrom(DIM_MAX[d]!, DIM_MAX[d]! + 1n, -1n), weight: 1 },
            ),
            { minLength: 1, maxLength: 3 },
          ),
          { nil: undefined },
        ),
      ),
    )
    .map((vs) => {
      const prefs: Partial<Record<Dim, bigint[]>> = {};
      dom.varying.forEach((d, i) => {
        if (vs[i]) prefs[d] = vs[i];
      });
      return prefs;
    });
}

const NUM_RUNS = 120;

describe.each([DOMAIN_V4_TCP, DOMAIN_V6_TCP, DOMAIN_MIXED])("packet-set laws on domain $name", (dom) => {
  const ref = buildRef(dom);

  it("the test domain is what we think it is", () => {
    expect(ref.points.length).toBeLessThanOrEqual(4000);
    expectAgreesOnD(ref, PacketSet.universe(), ref.wf, "universe");
    expect(PacketSet.universe().intersect(ref.dRaw).equals(fromRef(ref, ref.wf))).toBe(true);
  });

  it("boolean operations, emptiness, equality, containment and overlap agree with the reference", () => {
    fc.assert(
      fc.property(exprArb(dom), exprArb(dom), (ex, ey) => {
        const x = evalSet(ref, ex);
        const y = evalSet(ref, ey);
        const mx = evalRef(ref, ex);
        const my = evalRef(ref, ey);
        expectExact(ref, x, mx, "x");
        expectExact(ref, y, my, "y");
        expectExact(ref, x.union(y), mx | my, "x ∪ y");
        expectExact(ref, x.intersect(y), mx & my, "x ∩ y");
        expectExact(ref, x.minus(y), mx & ~my, "x \\ y");
        expectExact(ref, x.complement().intersect(ref.dRaw), ref.wf & ~mx, "∁x ∩ D");
        // Canonicity: equal sets are the same node.
        expect(x.equals(y)).toBe(mx === my);
        expect(x.node === y.node).toBe(mx === my);
        expect(x.isSubsetOf(y)).toBe((mx & ~my) === 0n);
        expect(y.isSubsetOf(x)).toBe((my & ~mx) === 0n);
        expect(x.overlaps(y)).toBe((mx & my) !== 0n);
        // A few algebraic laws, by node identity.
        expect(x.union(y).node).toBe(y.union(x).node);
        expect(x.intersect(y).node).toBe(y.intersect(x).node);
        expect(x.minus(y).union(x.intersect(y)).node).toBe(x.node);
        expect(x.complement().complement().node).toBe(x.node);
        expect(x.union(y).complement().node).toBe(x.complement().intersect(y.complement()).node);
        expect(x.minus(y).node).toBe(x.intersect(y.complement()).node);
        expect(PacketSet.unionAll([x, y, x]).node).toBe(x.union(y).node);
        expect(x.union(x.complement()).node).toBe(PacketSet.universe().node);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("witness is a member and follows the preferences", () => {
    fc.assert(
      fc.property(exprArb(dom), prefsArb(dom), (ex, prefs) => {
        checkWitness(ref, evalSet(ref, ex), evalRef(ref, ex), prefs);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("forget, rewrite, valuesOf and maxSourceCount agree with the reference", () => {
    const dimsArb = fc.subarray(dom.varying, { minLength: 1, maxLength: 2 });
    const rewriteArb = fc
      .constantFrom(...dom.varying)
      .chain((d) => fc.tuple(fc.constant(d), fc.array(dom.rangeArb(d), { minLength: 0, maxLength: 2 })));
    fc.assert(
      fc.property(exprArb(dom), dimsArb, rewriteArb, (ex, dims, [rd, rr]) => {
        const s = evalSet(ref, ex);
        const m = evalRef(ref, ex);
        checkForget(ref, s, m, dims);
        checkRewrite(ref, s, m, rd, rr);
        checkValuesOf(ref, s, m);
        checkMaxSource(ref, s, m);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("forAll (every value of one dimension)", () => {
  // On v4 TCP every dimension is free in the universe but the addresses (up to V4_MAX): there,
  // inside a box R over [lo, hi], forAll is the complement of forget over the complement, which
  // the reference tests above check. The direct answer must be the same set.
  const dom = DOMAIN_V4_TCP;
  const ref = buildRef(dom);
  const rangeArb = fc.constantFrom(...dom.varying).chain((d) => fc.tuple(fc.constant(d), dom.rangeArb(d)));
  it("equals R minus forget over R minus the set, for sets and ranges of the v4 TCP domain", () => {
    fc.assert(
      fc.property(exprArb(dom), rangeArb, (ex, [d, [lo, hi]]) => {
        if (lo > hi) return;
        const top = d === Dim.Src || d === Dim.Dst ? (hi < V4_MAX ? hi : V4_MAX) : hi;
        const s = evalSet(ref, ex);
        const box = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[TCP, TCP]], [d]: [[lo, top]] });
        const direct = box.intersect(s.forAll(d, [[lo, top]]));
        expect(direct.equals(box.minus(box.minus(s).forget([d])))).toBe(true);
        // and it is what it says: every variant on [lo, top] of a member is in the set
        const w = direct.witness();
        if (w) for (const v of [lo, top, (lo + top) / 2n]) expect(s.has(w.map((x, k) => (k === d ? v : x)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps what does not test the dimension, and of the rest what holds every value", () => {
    // the domain's sets test every varying dimension; these do not
    const v4tcp = { [Dim.Family]: [[4n, 4n]] as Range[], [Dim.Proto]: [[TCP, TCP]] as Range[] };
    const hostA = PacketSet.box({ ...v4tcp, [Dim.Dst]: [[NET10, NET10]] });
    expect(hostA.forAll(Dim.Dport, [[1n, 65535n]]).equals(hostA)).toBe(true);
    const hostB = PacketSet.box({ ...v4tcp, [Dim.Dst]: [[NET10 + 1n, NET10 + 1n]], [Dim.Dport]: [[1n, 1000n]] });
    const both = hostA.union(hostB);
    expect(both.forAll(Dim.Dport, [[1n, 65535n]]).equals(hostA)).toBe(true);
    expect(both.forAll(Dim.Dport, [[1n, 1000n]]).equals(hostA.union(hostB.forget([Dim.Dport])))).toBe(true);
    // several ranges: every value of each; a gap between them is not asked
    expect(both.forAll(Dim.Dport, [[700n, 1000n], [1n, 10n]]).equals(hostA.union(hostB.forget([Dim.Dport])))).toBe(true);
    expect(both.forAll(Dim.Dport, [[1n, 10n], [1001n, 1001n]]).equals(hostA)).toBe(true);
    expect(hostB.forAll(Dim.Dport, [[1n, 1001n]]).isEmpty()).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// The universe, directly.

function pkt(fields: Partial<Record<Dim, bigint>>): bigint[] {
  const p: bigint[] = new Array(DIM_COUNT).fill(0n);
  for (const [d, v] of Object.entries(fields)) p[Number(d)] = v;
  return p;
}

describe("universe of well-formed packets", () => {
  const U = PacketSet.universe();
  const U4 = PacketSet.universe([4]);
  const U6 = PacketSet.universe([6]);

  it("contains well-formed packets", () => {
    expect(U.has(pkt({ [Dim.Family]: 4n, [Dim.Proto]: TCP, [Dim.Dport]: 22n, [Dim.TcpFlags]: 2n, [Dim.Src]: V4_MAX }))).toBe(true);
    expect(U.has(pkt({ [Dim.Family]: 4n, [Dim.Proto]: UDP, [Dim.Dport]: 53n, [Dim.Sport]: 65535n }))).toBe(true);
    expect(U.has(pkt({ [Dim.Family]: 4n, [Dim.Proto]: ICMP4, [Dim.IcmpType]: 8n, [Dim.IcmpCode]: 255n }))).toBe(true);
    expect(U.has(pkt({ [Dim.Family]: 6n, [Dim.Proto]: ICMP6, [Dim.IcmpType]: 128n, [Dim.Dst]: V6_MAX }))).toBe(true);
    expect(U.has(pkt({ [Dim.Family]: 6n, [Dim.Proto]: 132n, [Dim.Dport]: 1n, [Dim.Src]: V6_MAX }))).toBe(true);
    expect(U.has(pkt({ [Dim.Family]: 4n, [Dim.Proto]: GRE, [Dim.CtState]: 4n, [Dim.Iif]: DIM_MAX[Dim.Iif]! }))).toBe(true);
    expect(U4.has(pkt({ [Dim.Family]: 4n, [Dim.Proto]: TCP }))).toBe(true);
    expect(U6.has(pkt({ [Dim.Family]: 4n, [Dim.Proto]: TCP }))).toBe(false);
    expect(U4.union(U6).equals(U)).toBe(true);
    expect(U4.overlaps(U6)).toBe(false);
  });

  it("box() of one family and one kind of protocol, built directly, is the box's intersection with the universe", () => {
    // The reference intersects one-dimension boxes: none names both a family and protocols, so
    // each is the raw box intersected with the universe.
    const byDims = (spec: BoxSpec) =>
      (Object.keys(spec) as unknown as Dim[]).reduce((acc, d) => acc.intersect(PacketSet.box({ [d]: spec[d] })), U);
    const big = (lo: bigint, hi: bigint) => fc.tuple(fc.bigInt(lo, hi), fc.bigInt(lo, hi)).map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [bigint, bigint]);
    const ranges = (lo: bigint, hi: bigint) => fc.array(big(lo, hi), { minLength: 1, maxLength: 3 });
    const protoLists: Ranges[] = [[[TCP, TCP]], [[UDP, UDP]], [[UDP, UDP], [132n, 132n]], [[TCP, TCP], [UDP, UDP]], [[ICMP4, ICMP4]], [[ICMP6, ICMP6]], [[GRE, GRE], [50n, 50n]], [[0n, 255n]], [[ICMP4, ICMP4], [TCP, TCP]], [[300n, 400n]], []];
    const spec = fc.record(
      {
        [Dim.Family]: fc.constantFrom<Ranges>([[4n, 4n]], [[6n, 6n]], [[4n, 6n]], [[5n, 5n]]),
        [Dim.Proto]: fc.constantFrom(...protoLists),
        [Dim.Dport]: ranges(0n, 70000n),
        [Dim.Sport]: ranges(0n, 3n),
        [Dim.IcmpType]: ranges(0n, 3n),
        [Dim.TcpFlags]: ranges(0n, 3n),
        [Dim.Src]: ranges(0n, 1n << 34n),
        [Dim.Dst]: ranges(V4_MAX - 5n, V4_MAX + 5n),
        [Dim.CtState]: ranges(0n, 6n),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(spec, (s) => {
        expect(PacketSet.box(s as BoxSpec).equals(byDims(s as BoxSpec))).toBe(true);
      }),
      { seed: 0xb0c5, numRuns: 400 },
    );
    expect(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[TCP, TCP]], [Dim.Dport]: [] }).isEmpty()).toBe(true);
  });

  it("valuesOf() opens a dimension a path skips, also the last one (IPv6 leaves the source open)", () => {
    const v6ssh = PacketSet.box({ [Dim.Family]: [[6n, 6n]], [Dim.Proto]: [[TCP, TCP]], [Dim.Dport]: [[22n, 22n]] });
    const mixed = v6ssh.union(PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[UDP, UDP]], [Dim.Src]: [[10n, 20n]] }));
    expect(v6ssh.valuesOf(Dim.Dport)).toEqual([[22n, 22n]]);
    expect(v6ssh.valuesOf(Dim.Src)).toEqual([[0n, V6_MAX]]);
    expect(mixed.valuesOf(Dim.Src)).toEqual([[0n, V6_MAX]]);
    expect(mixed.valuesOf(Dim.Dport)).toEqual([[0n, 65535n]]); // any UDP port
    expect(mixed.valuesOf(Dim.Proto)).toEqual([[TCP, TCP], [UDP, UDP]]);
  });

  it("corner() is witness() without preferences, also on dimensions a set leaves open", () => {
    const high = (_d: Dim, _lo: bigint, hi: bigint) => hi;
    const sets = [
      U,
      U6,
      PacketSet.box({ [Dim.Dport]: [[80n, 80n]] }),
      PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Src]: [[10n, 20n], [30n, 40n]] }).minus(PacketSet.box({ [Dim.Proto]: [[TCP, TCP]] })),
    ];
    for (const set of sets) {
      expect(set.corner()).toEqual(set.witness());
      expect(set.corner(true)).toEqual(set.witness({}, high));
      expect(set.has(set.corner(true))).toBe(true);
    }
  });

  it("excludes malformed packets", () => {
    const bad: [string, Partial<Record<Dim, bigint>>][] = [
      ["udp with tcp flags", { [Dim.Family]: 4n, [Dim.Proto]: UDP, [Dim.TcpFlags]: 2n }],
      ["icmp with a dport", { [Dim.Family]: 4n, [Dim.Proto]: ICMP4, [Dim.Dport]: 22n }],
      ["icmp with a sport", { [Dim.Family]: 4n, [Dim.Proto]: ICMP4, [Dim.Sport]: 1n }],
      ["icmpv6 under family 4 with a type", { [Dim.Family]: 4n, [Dim.Proto]: ICMP6, [Dim.IcmpType]: 128n }],
      ["icmp under family 6 with a type", { [Dim.Family]: 6n, [Dim.Proto]: ICMP4, [Dim.IcmpType]: 8n }],
      ["tcp with an icmp type", { [Dim.Family]: 4n, [Dim.Proto]: TCP, [Dim.IcmpType]: 8n }],
      ["tcp with an icmp code", { [Dim.Family]: 6n, [Dim.Proto]: TCP, [Dim.IcmpCode]: 1n }],
      ["gre with ports", { [Dim.Family]: 4n, [Dim.Proto]: GRE, [Dim.Dport]: 1n }],
      ["gre with tcp flags", { [Dim.Family]: 6n, [Dim.Proto]: GRE, [Dim.TcpFlags]: 1n }],
      ["family 4 with src above 2^32-1", { [Dim.Family]: 4n, [Dim.Proto]: TCP, [Dim.Src]: V4_MAX + 1n }],
      ["family 4 with dst above 2^32-1", { [Dim.Family]: 4n, [Dim.Proto]: UDP, [Dim.Dst]: V6_MAX }],
      ["family 0", { [Dim.Family]: 0n, [Dim.Proto]: TCP }],
      ["family 5", { [Dim.Family]: 5n, [Dim.Proto]: TCP }],
      ["family 7 (above the dimension)", { [Dim.Family]: 7n, [Dim.Proto]: TCP }],
      ["dport above 65535", { [Dim.Family]: 4n, [Dim.Proto]: TCP, [Dim.Dport]: 65536n }],
      ["negative sport", { [Dim.Family]: 4n, [Dim.Proto]: TCP, [Dim.Sport]: -1n }],
      ["family 6 with src above 2^128-1", { [Dim.Family]: 6n, [Dim.Proto]: TCP, [Dim.Src]: V6_MAX + 1n }],
      ["ctstate above 4", { [Dim.Family]: 6n, [Dim.Proto]: TCP, [Dim.CtState]: 5n }],
    ];
    for (const [what, fields] of bad) {
      const p = pkt(fields);
      expect(wellFormed(p), what).toBe(false);
      expect(U.has(p), what).toBe(false);
      expect(U.complement().has(p), what).toBe(false);
      expect(PacketSet.box({}).has(p), what).toBe(false);
    }
  });

  it("boxes and complements stay inside it", () => {
    expect(PacketSet.box({}).equals(U)).toBe(true);
    expect(U.complement().isEmpty()).toBe(true);
    expect(PacketSet.empty().complement().equals(U)).toBe(true);
    const udpFlags = PacketSet.box({ [Dim.Proto]: [[UDP, UDP]], [Dim.TcpFlags]: [[1n, 255n]] });
    expect(udpFlags.isEmpty()).toBe(true);
    const v4High = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Src]: [[V4_MAX + 1n, V6_MAX]] });
    expect(v4High.isEmpty()).toBe(true);
    const notTen = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Src]: [[NET10, NET10 + 0xffffffn]] }).complement();
    expect(notTen.has(pkt({ [Dim.Family]: 4n, [Dim.Src]: V4_MAX }))).toBe(true);
    expect(notTen.has(pkt({ [Dim.Family]: 4n, [Dim.Src]: V4_MAX + 1n }))).toBe(false);
    expect(notTen.has(pkt({ [Dim.Family]: 6n, [Dim.Src]: NET10 }))).toBe(true);
  });

  it("maxSourceCount counts whole source spaces", () => {
    const tcp4 = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[TCP, TCP]] });
    expect(tcp4.maxSourceCount()).toBe(1n << 32n);
    const tcp6 = PacketSet.box({ [Dim.Family]: [[6n, 6n]], [Dim.Proto]: [[TCP, TCP]] });
    expect(tcp6.maxSourceCount()).toBe(1n << 128n);
    const a = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Dport]: [[22n, 22n]], [Dim.Src]: [[NET10, NET10 + 255n]] });
    const b = PacketSet.box({
      [Dim.Family]: [[4n, 4n]],
      [Dim.Dport]: [[80n, 80n]],
      [Dim.Src]: [
        [0n, 9n],
        [NET10, NET10 + 511n],
      ],
    });
    expect(a.maxSourceCount()).toBe(256n);
    expect(a.union(b).maxSourceCount()).toBe(522n);
    expect(PacketSet.empty().maxSourceCount()).toBe(0n);
  });

  it("witness uses the picker and preferences for unconstrained dimensions", () => {
    const s = PacketSet.box({ [Dim.Family]: [[6n, 6n]], [Dim.Proto]: [[TCP, TCP]], [Dim.Dport]: [[22n, 22n]] });
    const w = s.witness({ [Dim.Iif]: [ifaceToValue("eth0")], [Dim.Dport]: [80n, 22n] })!;
    expect(w[Dim.Iif]).toBe(ifaceToValue("eth0"));
    expect(w[Dim.Dport]).toBe(22n);
    expect(s.has(w)).toBe(true);
    const picked = s.witness({}, (d, lo, hi) => (d === Dim.Src ? hi : lo))!;
    expect(picked[Dim.Src]).toBe(V6_MAX);
    expect(s.has(picked)).toBe(true);
    // Out-of-range preferences are ignored; out-of-piece picks are clamped to the piece.
    const high = PacketSet.box({ [Dim.Family]: [[4n, 4n]], [Dim.Proto]: [[TCP, TCP]], [Dim.Dport]: [[60000n, 65535n]] });
    const wo = high.witness({ [Dim.Dport]: [70000n, -1n, 60001n], [Dim.Iif]: [-5n, ifaceToValue("lo")], [Dim.CtState]: [9n] })!;
    expect(wo[Dim.Dport]).toBe(60001n);
    expect(wo[Dim.Iif]).toBe(ifaceToValue("lo"));
    expect(wo[Dim.CtState]).toBe(0n);
    expect(high.has(wo)).toBe(true);
    const wild = high.witness({}, (d) => (d === Dim.Dport ? 99999n : -3n))!;
    expect(wild[Dim.Dport]).toBe(65535n);
    expect(wild[Dim.Iif]).toBe(0n);
    expect(high.has(wild)).toBe(true);
    expect(PacketSet.empty().witness()).toBeUndefined();
  });
});

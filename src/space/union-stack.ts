/**
 * A union grown one set at a time, kept as a few partial unions of doubling size (a binary
 * counter: part k unites 2^k of the sets added). Adding a set joins parts of equal size, so the
 * work stays balanced as with one balanced union of everything; and "what of s lies outside the
 * union so far" takes s minus each part - work the size of s - without uniting the parts first.
 * The parts never change once made, so the union as it stood at any moment is kept by keeping
 * its parts (a snapshot).
 *
 * The sets added are rule matches. Once a union is long (flatFrom sets) and while every set fits
 * the flat form (flat-sets.ts: cuts up to 2^32, no huge node), the parts are flat sets, which cost
 * a fraction of the object form to build; the first set that does not fit, or a full flat store,
 * turns the parts back into objects, and the union goes on there. Answers come back as
 * PacketSets either way.
 */
import { FLAT_EMPTY, type FlatSet, flatCorner, flatHasPoint, flatMeets, flatMinus, flatOrUndefined, flatUnion, flatWithin } from "./flat-sets.js";
import { DIM_COUNT } from "./dims.js";
import { PacketSet } from "./packet-set.js";

/**
 * Sets a union takes as objects before it turns flat: short unions gain less than converting
 * their sets costs (nft bench, 5k rules in 129 chains: turning flat from the first set made the
 * anomaly checks' per-chain unions 470 -> 670 ms; from the 64th or 128th, no change).
 */
let flatFrom = 128;

/** Sets from which unions turn flat (tests exercise both forms on small unions). */
export function configureFlatUnions(from: number): void {
  flatFrom = from;
}

/**
 * What a union's parts are asked, in either form: PartedUnion runs one algorithm over flat parts
 * or over objects through these.
 */
interface PartAlgebra<S, P> {
  isEmpty(s: S): boolean;
  meets(a: S, b: S): boolean;
  minus(a: S, b: S): S;
  within(a: S, b: S): boolean;
  /** Probe `which` (0, 1, 2) of a non-empty set: its low corner, high corner, far corner. */
  probe(s: S, which: number): P;
  has(part: S, probe: P): boolean;
}

/** The probe flat holds() writes its corners into. */
const flatProbe = new Float64Array(DIM_COUNT);

const FLAT: PartAlgebra<FlatSet, Float64Array> = {
  isEmpty: (s) => s === FLAT_EMPTY,
  meets: flatMeets,
  minus: flatMinus,
  within: flatWithin,
  probe: (s, which) => {
    flatCorner(s, which > 0, which === 2, flatProbe);
    return flatProbe;
  },
  has: flatHasPoint,
};

const OBJECTS: PartAlgebra<PacketSet, readonly bigint[]> = {
  isEmpty: (s) => s.isEmpty(),
  meets: (a, b) => a.overlaps(b),
  minus: (a, b) => a.minus(b),
  within: (a, b) => a.isSubsetOf(b),
  probe: (s, which) => (which === 2 ? s.farCorner() : s.corner(which === 1)),
  has: (part, probe) => part.has(probe),
};

/** `s` minus each part it meets, the largest first (a part it does not meet costs a test that builds nothing). */
function outsideParts<S, P>(s: S, parts: readonly S[], alg: PartAlgebra<S, P>): S {
  for (let k = parts.length - 1; k >= 0 && !alg.isEmpty(s); k--) {
    const part = parts[k]!;
    if (alg.meets(s, part)) s = alg.minus(s, part);
  }
  return s;
}

/**
 * Is every packet of `s` in the parts' union? Three packets of `s` (its two corners, and its far
 * corner from the last pieces) are looked up first: when one is in no part, the answer is no
 * without a set operation. (ASA 20k bench: of 3,181 rules whose two corners are covered, 2,114 are
 * not shadowed, and the far corner tells 1,805 of them.)
 */
function holdsParts<S, P>(s: S, parts: readonly S[], alg: PartAlgebra<S, P>): boolean {
  if (parts.length > 1 && !alg.isEmpty(s)) {
    for (let p = 0; p < 3; p++) {
      const probe = alg.probe(s, p);
      let found = false;
      // the largest parts first: they hold most packets
      for (let k = parts.length - 1; k >= 0 && !found; k--) found = alg.has(parts[k]!, probe);
      if (!found) return false;
    }
  }
  for (let k = parts.length - 1; k >= 0; k--) {
    const part = parts[k]!;
    if (k === 0) return alg.within(s, part);
    if (alg.meets(s, part)) s = alg.minus(s, part);
    if (alg.isEmpty(s)) return true;
  }
  return alg.isEmpty(s);
}

/**
 * A union held as its parts, none of them united with another: flat sets, or objects. A question
 * about a set that fits the flat form is answered over flat parts; otherwise (or when the flat
 * store is full) over the parts as objects.
 */
export class PartedUnion {
  private constructor(
    /** The parts as objects (made from the flat parts on first use, see objectParts). */
    private objects: readonly PacketSet[] | undefined,
    private readonly flat: readonly FlatSet[] | undefined,
  ) {}

  static ofObjects(parts: readonly PacketSet[]): PartedUnion {
    return new PartedUnion(parts, undefined);
  }

  static ofFlat(parts: readonly FlatSet[]): PartedUnion {
    return new PartedUnion(undefined, parts);
  }

  /** The parts as PacketSets (flat parts converted on first use). */
  private objectParts(): readonly PacketSet[] {
    return (this.objects ??= this.flat!.map((p) => PacketSet.fromFlat(p)));
  }

  /** `s` minus the union. */
  outside(s: PacketSet): PacketSet {
    const f = this.flat && s.toFlat();
    const rest = f === undefined ? undefined : flatOrUndefined(() => outsideParts(f, this.flat!, FLAT));
    if (rest !== undefined) return rest === f ? s : PacketSet.fromFlat(rest);
    return outsideParts(s, this.objectParts(), OBJECTS);
  }

  /** Is every packet of `s` in the union? (see holdsParts) */
  holds(s: PacketSet): boolean {
    const f = this.flat && s.toFlat();
    const held = f === undefined ? undefined : flatOrUndefined(() => holdsParts(f, this.flat!, FLAT));
    return held ?? holdsParts(s, this.objectParts(), OBJECTS);
  }

  /** Does `s` share a packet with the union? */
  meets(s: PacketSet): boolean {
    const f = this.flat && s.toFlat();
    if (f !== undefined) return this.flat!.some((p) => flatMeets(p, f));
    return this.objectParts().some((p) => p.overlaps(s));
  }
}

/**
 * The union itself. Sets added wait until a question is asked of it, so a union nobody asks
 * about (a check that needs it only for a rare kind of rule) costs nothing.
 */
export class UnionStack {
  /** parts[k]: the union of 2^k added sets, or undefined; flat while `objects` is undefined. */
  private flatParts: (FlatSet | undefined)[] | undefined;
  private objects: (PacketSet | undefined)[] | undefined = [];
  /** Sets counted into the parts. */
  private added = 0;
  /** No longer flat: a set did not fit, or the flat store filled up. */
  private unfit = false;
  /** The universe was added: nothing can add to the union. */
  private universal = false;
  /** Sets added since the last question, not yet in the parts. */
  private waiting: PacketSet[] = [];
  private whole: PacketSet | undefined = PacketSet.empty();
  private kept: PartedUnion | undefined = PartedUnion.ofObjects([]);

  add(s: PacketSet): void {
    this.waiting.push(s);
    this.whole = undefined;
    this.kept = undefined;
  }

  /** The union as it stands now, as parts: later additions do not change it. */
  snapshot(): PartedUnion {
    this.settle();
    if (!this.kept) {
      if (this.flatParts) this.kept = PartedUnion.ofFlat(this.flatParts.filter((p): p is FlatSet => p !== undefined));
      else this.kept = PartedUnion.ofObjects(this.objects!.filter((p): p is PacketSet => p !== undefined));
    }
    return this.kept;
  }

  /** `s` minus everything added so far. */
  outside(s: PacketSet): PacketSet {
    return this.snapshot().outside(s);
  }

  /** The union of everything added. */
  union(): PacketSet {
    this.settle();
    if (this.whole) return this.whole;
    const f = this.flatUnion();
    if (f !== undefined) return (this.whole = PacketSet.fromFlat(f));
    return (this.whole = PacketSet.unionAll(this.objects!.filter((p): p is PacketSet => p !== undefined)));
  }

  /**
   * The union of the flat parts (smallest first, as a balanced union pairs them); undefined for
   * objects, and when the flat store is full (the parts are objects from then on).
   */
  private flatUnion(): FlatSet | undefined {
    if (!this.flatParts) return undefined;
    const parts = this.flatParts;
    const u = flatOrUndefined(() => {
      let u = FLAT_EMPTY;
      for (const p of parts) if (p !== undefined) u = u === FLAT_EMPTY ? p : flatUnion(p, u);
      return u;
    });
    if (u === undefined) this.toObjectParts();
    return u;
  }

  /** The parts as objects from now on (a set that does not fit came, or the flat store is full). */
  private toObjectParts(): void {
    if (!this.flatParts) return;
    this.objects = this.flatParts.map((p) => (p === undefined ? undefined : PacketSet.fromFlat(p)));
    this.flatParts = undefined;
    this.unfit = true;
    this.kept = undefined;
  }

  /** The parts as flat sets from now on, unless one does not fit. */
  private toFlatParts(): void {
    const flat: (FlatSet | undefined)[] = [];
    for (const p of this.objects!) {
      const f = p && p.toFlat();
      if (p && f === undefined) {
        this.unfit = true;
        return;
      }
      flat.push(f);
    }
    this.flatParts = flat;
    this.objects = undefined;
  }

  /** Counts the waiting sets into the parts. */
  private settle(): void {
    for (const s of this.waiting) {
      if (this.universal) break; // nothing can add to it
      if (s.isUniverse()) {
        // A catch-all rule: the union is everything, and no part needs to be joined with it.
        this.universal = true;
        this.flatParts = undefined;
        this.objects = [s];
        break;
      }
      this.added++;
      if (!this.flatParts && !this.unfit && this.added >= flatFrom) this.toFlatParts();
      const f = this.flatParts && s.toFlat();
      if (f !== undefined) {
        const parts = this.flatParts!;
        if (flatOrUndefined(() => count(parts, f, flatUnion)) !== undefined) continue;
      }
      // a set that does not fit (or no room left): the union goes on as objects
      this.toObjectParts();
      count(this.objects!, s, (a, b) => a.union(b));
    }
    this.waiting = [];
  }
}

/**
 * Adds a set to the binary counter `parts`: it carries into the first free part, uniting the full
 * ones on the way. The parts change only once every union is made, so a union that fails (a full
 * flat store) leaves them as they were. Returns true (for flatOrUndefined).
 */
function count<S>(parts: (S | undefined)[], s: S, union: (a: S, b: S) => S): true {
  let carry = s;
  let k = 0;
  for (; parts[k] !== undefined; k++) carry = union(parts[k]!, carry);
  for (let j = 0; j < k; j++) parts[j] = undefined;
  parts[k] = carry;
  return true;
}

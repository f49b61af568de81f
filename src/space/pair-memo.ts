/**
 * Memo tables keyed by a pair of node ids, for the decision diagram's operations.
 *
 * A Map keyed by `a * 2^26 + b` stores each key as a heap number (past 2^31 a number is an
 * object of its own) and each entry in a hash table that the garbage collector walks: a large
 * analysis makes hundreds of thousands of entries, and they were a good part of what every
 * young-generation collection copied. These tables keep the two ids in typed arrays (open
 * addressing, linear probing), so an entry allocates nothing.
 */

const EMPTY_SLOT = 0;
const INITIAL_BITS = 12;

function slotOf(a: number, b: number, mask: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h & mask;
}

/** Keys are stored as id + 1, so a zero slot is free (ids start at 0). */
abstract class PairTable {
  protected keyA = new Int32Array(1 << INITIAL_BITS);
  protected keyB = new Int32Array(1 << INITIAL_BITS);
  protected mask = (1 << INITIAL_BITS) - 1;
  size = 0;

  constructor(private readonly limit: number) {}

  /** The slot holding (a, b), or the free slot where it would go (as ~slot). */
  protected find(a: number, b: number): number {
    const ka = a + 1;
    const kb = b + 1;
    const keyA = this.keyA;
    const keyB = this.keyB;
    const mask = this.mask;
    for (let i = slotOf(a, b, mask); ; i = (i + 1) & mask) {
      const x = keyA[i]!;
      if (x === EMPTY_SLOT) return ~i;
      if (x === ka && keyB[i] === kb) return i;
    }
  }

  /**
   * Makes room for one more entry: forgets everything past the limit, grows past half full. True
   * when the slots moved (a free slot found before is not the one to use now).
   */
  protected reserve(): boolean {
    if (this.size >= this.limit) {
      this.clear();
      return true;
    }
    if ((this.size + 1) * 2 <= this.mask + 1) return false;
    const oldA = this.keyA;
    const oldB = this.keyB;
    const cap = (this.mask + 1) * 2;
    this.keyA = new Int32Array(cap);
    this.keyB = new Int32Array(cap);
    this.mask = cap - 1;
    this.resize(cap);
    for (let i = 0; i < oldA.length; i++) {
      const ka = oldA[i]!;
      if (ka === EMPTY_SLOT) continue;
      const kb = oldB[i]!;
      let j = slotOf(ka - 1, kb - 1, this.mask);
      while (this.keyA[j] !== EMPTY_SLOT) j = (j + 1) & this.mask;
      this.keyA[j] = ka;
      this.keyB[j] = kb;
      this.move(i, j);
    }
    this.dropOld();
    return true;
  }

  protected claim(slot: number, a: number, b: number): void {
    this.keyA[slot] = a + 1;
    this.keyB[slot] = b + 1;
    this.size++;
  }

  clear(): void {
    this.keyA = new Int32Array(1 << INITIAL_BITS);
    this.keyB = new Int32Array(1 << INITIAL_BITS);
    this.mask = (1 << INITIAL_BITS) - 1;
    this.size = 0;
    this.resize(1 << INITIAL_BITS);
    this.dropOld();
  }

  /** Allocates value storage of `cap` slots beside the old one (kept until dropOld). */
  protected abstract resize(cap: number): void;
  /** Copies the value of old slot `from` to new slot `to`. */
  protected abstract move(from: number, to: number): void;
  protected abstract dropOld(): void;
}

/** (a, b) -> a value object (the result node of an operation). */
export class PairMemo<V> extends PairTable {
  private values: (V | undefined)[] = new Array<V | undefined>(1 << INITIAL_BITS).fill(undefined);
  private old: (V | undefined)[] = [];

  get(a: number, b: number): V | undefined {
    const i = this.find(a, b);
    return i >= 0 ? this.values[i] : undefined;
  }

  set(a: number, b: number, v: V): void {
    let i = this.find(a, b);
    if (i >= 0) {
      this.values[i] = v;
      return;
    }
    i = this.reserve() ? ~this.find(a, b) : ~i;
    this.claim(i, a, b);
    this.values[i] = v;
  }

  protected resize(cap: number): void {
    this.old = this.values;
    this.values = new Array<V | undefined>(cap).fill(undefined);
  }
  protected move(from: number, to: number): void {
    this.values[to] = this.old[from];
  }
  protected dropOld(): void {
    this.old = [];
  }
}

/** (a, b) -> a small number in a typed array, 0 meaning absent (the two tables below). */
abstract class TypedPairTable<A extends Uint8Array | Int32Array> extends PairTable {
  private values: A;
  private old: A;

  constructor(
    limit: number,
    private readonly make: (n: number) => A,
  ) {
    super(limit);
    this.values = make(1 << INITIAL_BITS);
    this.old = make(0);
  }

  protected raw(a: number, b: number): number {
    const i = this.find(a, b);
    return i >= 0 ? this.values[i]! : 0;
  }

  protected put(a: number, b: number, v: number): void {
    let i = this.find(a, b);
    if (i < 0) {
      i = this.reserve() ? ~this.find(a, b) : ~i;
      this.claim(i, a, b);
    }
    this.values[i] = v;
  }

  protected resize(cap: number): void {
    this.old = this.values;
    this.values = this.make(cap);
  }
  protected move(from: number, to: number): void {
    this.values[to] = this.old[from]!;
  }
  protected dropOld(): void {
    this.old = this.make(0);
  }
}

/** (a, b) -> a boolean (the answer of a test). */
export class PairFlags extends TypedPairTable<Uint8Array> {
  constructor(limit: number) {
    super(limit, (n) => new Uint8Array(n));
  }

  get(a: number, b: number): boolean | undefined {
    const v = this.raw(a, b); // 0: absent, 1: false, 2: true
    return v === 0 ? undefined : v === 2;
  }

  set(a: number, b: number, v: boolean): void {
    this.put(a, b, v ? 2 : 1);
  }
}

/** (a, b) -> a non-negative integer (the result of an operation on flat sets), -1 when absent. */
export class PairInts extends TypedPairTable<Int32Array> {
  constructor(limit: number) {
    super(limit, (n) => new Int32Array(n));
  }

  get(a: number, b: number): number {
    return this.raw(a, b) - 1;
  }

  set(a: number, b: number, v: number): void {
    this.put(a, b, v + 1);
  }
}

/**
 * (a, b) -> a boolean, direct-mapped: a fixed table small enough to stay in the processor's
 * cache, where a new entry takes the place of the one in its slot. For answers cheap to compute
 * again: PairFlags keeps every entry (and grows past the cache), so a miss costs a trip to memory.
 */
export class PairFlagsCache {
  private readonly keyA: Int32Array;
  private readonly keyB: Int32Array;
  private readonly values: Uint8Array;
  private readonly mask: number;
  /** Set since the last clear: a table nothing was put in (the first file of a run) is not wiped. */
  private used = false;

  constructor(bits: number) {
    this.keyA = new Int32Array(1 << bits);
    this.keyB = new Int32Array(1 << bits);
    this.values = new Uint8Array(1 << bits);
    this.mask = (1 << bits) - 1;
  }

  get(a: number, b: number): boolean | undefined {
    const i = slotOf(a, b, this.mask);
    return this.keyA[i] === a + 1 && this.keyB[i] === b + 1 ? this.values[i] === 1 : undefined;
  }

  set(a: number, b: number, v: boolean): void {
    const i = slotOf(a, b, this.mask);
    this.keyA[i] = a + 1;
    this.keyB[i] = b + 1;
    this.values[i] = v ? 1 : 0;
    this.used = true;
  }

  clear(): void {
    if (!this.used) return;
    this.keyA.fill(0);
    this.keyB.fill(0);
    this.used = false;
  }
}


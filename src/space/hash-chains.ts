/**
 * Hash-consing tables for long-lived objects (diagram nodes, piece-tree chunks): each hash leads
 * to the first object with it, and the others follow through the objects' own `sameHash` field,
 * so an entry costs no array of its own (these tables hold most of what a large analysis builds).
 */

export interface Chained<T> {
  /** The next object with the same hash in the table, if any. */
  sameHash: T | undefined;
}

export class HashChains<T extends Chained<T>> {
  private readonly heads = new Map<number, T>();

  /** The first object with hash `h`; the rest follow through `sameHash`. */
  first(h: number): T | undefined {
    return this.heads.get(h);
  }

  /** Adds an object that is not in the table. */
  add(h: number, x: T): void {
    x.sameHash = this.heads.get(h);
    this.heads.set(h, x);
  }

  /** Adds an object unless it is in the table already. */
  addOnce(h: number, x: T): void {
    for (let y = this.heads.get(h); y !== undefined; y = y.sameHash) if (y === x) return;
    this.add(h, x);
  }

  /** Forgets every object, unlinking the chains: one that someone keeps keeps no forgotten one alive. */
  clear(): void {
    for (const head of this.heads.values()) {
      for (let x: T | undefined = head; x !== undefined; ) {
        const next: T | undefined = x.sameHash;
        x.sameHash = undefined;
        x = next;
      }
    }
    this.heads.clear();
  }
}

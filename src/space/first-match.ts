/**
 * First-match ownership of packets: sets are claimed in order, and each packet belongs to the
 * first set that contains it - the way the first matching rule of a chain decides a packet.
 * Kept as one decision diagram whose leaves name the owner, so "which earlier rules decide part
 * of this set?" is one intersection, not a walk over every earlier rule.
 */
import * as idd from "./idd.js";
import type { Node } from "./idd.js";
import type { PacketSet } from "./packet-set.js";

export class FirstClaims<T> {
  private claimed: Node = idd.EMPTY;
  /** Owner of each label, in claim order (labels are made in increasing id order). */
  private readonly owners = new Map<Node, T>();

  /** The packets of `set` not claimed yet become `owner`'s. */
  claim(set: PacketSet, owner: T): void {
    if (set.isEmpty()) return;
    const t = idd.label();
    this.owners.set(t, owner);
    this.claimed = idd.first(this.claimed, idd.replaceFull(set.node, t));
  }

  /** Is every packet of `set` claimed? */
  covers(set: PacketSet): boolean {
    return idd.diff(set.node, this.claimed) === idd.EMPTY;
  }

  /** Has anything been claimed? */
  isEmpty(): boolean {
    return this.claimed === idd.EMPTY;
  }

  /** The owners of some packet of `set`, in the order they claimed. */
  ownersOf(set: PacketSet): T[] {
    const labels = idd.labelsOf(idd.and(this.claimed, set.node));
    labels.sort((a, b) => a.id - b.id);
    return labels.map((t) => this.owners.get(t)!);
  }
}

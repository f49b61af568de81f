/**
 * The hash-consing table: objects of one hash are all found through the chain, an object is not
 * added twice by addOnce, and clearing unlinks the chains.
 */
import { describe, expect, it } from "vitest";
import { HashChains } from "../../src/space/hash-chains.js";

class Item {
  sameHash: Item | undefined = undefined;
  constructor(readonly name: string) {}
}

const chain = (t: HashChains<Item>, h: number): string[] => {
  const out: string[] = [];
  for (let x = t.first(h); x !== undefined; x = x.sameHash) out.push(x.name);
  return out;
};

describe("HashChains", () => {
  it("keeps every object of a hash on its chain, apart from other hashes", () => {
    const t = new HashChains<Item>();
    const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => new Item(n)) as [Item, Item, Item, Item];
    t.add(7, a);
    t.add(7, b);
    t.add(9, c);
    t.add(7, d);
    expect(chain(t, 7).sort()).toEqual(["a", "b", "d"]);
    expect(chain(t, 9)).toEqual(["c"]);
    expect(t.first(8)).toBeUndefined();
  });

  it("addOnce leaves an object already on its chain where it is", () => {
    const t = new HashChains<Item>();
    const a = new Item("a");
    const b = new Item("b");
    t.add(1, a);
    t.add(1, b);
    t.addOnce(1, a);
    t.addOnce(1, b);
    expect(chain(t, 1).sort()).toEqual(["a", "b"]);
  });

  it("clear forgets everything and unlinks the objects from one another", () => {
    const t = new HashChains<Item>();
    const items = ["a", "b", "c"].map((n) => new Item(n));
    for (const x of items) t.add(3, x);
    t.clear();
    expect(t.first(3)).toBeUndefined();
    for (const x of items) expect(x.sameHash).toBeUndefined();
    t.addOnce(3, items[0]!);
    expect(chain(t, 3)).toEqual(["a"]);
  });
});

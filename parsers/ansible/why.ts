/**
 * Why a value is not known: what Jinja's expansion gives for an expression fwlint does not
 * compute, and what a fact set under an undecided condition holds. Told apart from a module
 * argument's own mapping `{ why: ... }` by identity.
 */

/** The why-nots made here (so that an argument mapping `{ why: ... }` is not taken for one). */
const WHYS = new WeakSet<object>();

export function why(text: string): { why: string } {
  const o = { why: text };
  WHYS.add(o);
  return o;
}

/** A why-not made by why(). */
export function isWhy(v: unknown): v is { why: string } {
  return typeof v === "object" && v !== null && WHYS.has(v);
}

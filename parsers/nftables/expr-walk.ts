/**
 * The expressions an nftables expression is made of, one level down: what walks over a rule's
 * expressions (the sets it names, the mark values it compares) descend through.
 */
import type { Expr } from "./ast.js";

/** `e`'s direct sub-expressions: operands, concatenated parts, a lookup's key and map, range ends, list items, set elements and their data. */
export function subExpressions(e: Expr): Expr[] {
  switch (e.kind) {
    case "binop":
      return [e.left, e.right];
    case "concat":
      return e.parts;
    case "map":
      return [e.key, e.map];
    case "range":
      return [e.low, e.high];
    case "list":
      return e.items;
    case "set":
      return e.elements.flatMap((el) => (el.data ? [el.key, el.data] : [el.key]));
    default:
      return [];
  }
}

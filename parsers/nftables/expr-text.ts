/**
 * Expressions as source text, the way nft prints them: for Unknown conditions, messages, and
 * declarations compared as written.
 */
import type { Expr, Verdict } from "./ast.js";

const PLAIN = /^[A-Za-z0-9_.:/*@$-]+$/;

export function exprText(e: Expr): string {
  switch (e.kind) {
    case "payload":
      return `${e.protocol} ${e.field}`;
    case "meta":
      // nft prints these keys bare.
      return ["iif", "iifname", "oif", "oifname", "iiftype", "oiftype"].includes(e.key) ? e.key : `meta ${e.key}`;
    case "ct":
      return ["ct", e.direction, e.family, e.key].filter((x) => x !== undefined).join(" ");
    case "fib":
      return `fib ${e.flags.join(" . ")} ${e.result}`;
    case "value":
      return PLAIN.test(e.text) ? e.text : `"${e.text}"`;
    case "prefix":
      return `${e.addr}/${e.length}`;
    case "range":
      return `${exprText(e.low)}-${exprText(e.high)}`;
    case "list":
      return e.items.map(exprText).join(",");
    case "set": {
      const shown = e.elements.slice(0, 8).map((x) => (x.data ? `${exprText(x.key)} : ${exprText(x.data)}` : exprText(x.key)));
      return `{ ${shown.join(", ")}${e.elements.length > 8 ? `, ... (${e.elements.length} elements)` : ""} }`;
    }
    case "setref":
      return `@${e.name}`;
    case "concat":
      return e.parts.map(exprText).join(" . ");
    case "binop":
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case "map":
      return `${exprText(e.key)} map ${exprText(e.map)}`;
    case "verdict":
      return verdictText(e.verdict);
    case "opaque":
      return e.text;
  }
}

function verdictText(v: Verdict): string {
  if (v.kind === "queue") return v.text;
  if (v.kind === "jump" || v.kind === "goto") return v.anonymous ? `${v.kind} { ... }` : `${v.kind} ${v.target}`;
  return v.kind;
}


/**
 * Named stateful objects and flowtables as rules refer to them: which object a statement uses by
 * a literal name (`counter name "c"`, `quota name q`, `ct helper set "ftp"`, `meta secmark set
 * "s"`, `flow add @ft`), and which declaration head names one (`counter c`, `ct helper h`). Both
 * readers use it; the mapper tells a use of an object the table does not declare.
 */
import { OBJECT_TYPES, type Expr, type ObjectType } from "./ast.js";

/** `ct helper` ... as one type; the declaration's words (`["ct", "helper", "h"]`) -> type and name. */
export function declaredObject(words: readonly string[]): { type: ObjectType; name: string } | undefined {
  const two = words.length >= 3 ? `${words[0]} ${words[1]}` : undefined;
  if (two !== undefined && OBJECT_TYPES.has(two)) return { type: two as ObjectType, name: unquote(words[2]!) };
  if (words.length >= 2 && OBJECT_TYPES.has(words[0]!)) return { type: words[0] as ObjectType, name: unquote(words[1]!) };
  return undefined;
}

/** The object a `KEY set VALUE` statement names: `ct helper|timeout|expectation set "x"`, `meta secmark set "x"`. */
export function assignedObject(key: Expr, value: Expr): { type: ObjectType; name: string } | undefined {
  const type = assignedObjectType(key);
  return type !== undefined && value.kind === "value" ? { type, name: value.text } : undefined;
}

/** The type of named object `KEY set ...` picks (`ct helper`, `ct timeout`, `ct expectation`, `meta secmark`), or undefined. */
export function assignedObjectType(key: Expr): ObjectType | undefined {
  if (key.kind === "ct" && key.direction === undefined && (key.key === "helper" || key.key === "timeout" || key.key === "expectation")) return `ct ${key.key}`;
  if (key.kind === "meta" && key.key === "secmark") return "secmark";
  return undefined;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

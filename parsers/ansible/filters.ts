/**
 * Jinja's filters on one value as Ansible computes them, for the module arguments (tasks.ts) and
 * the `when:` conditions (when.ts) alike.
 */
import type { Value } from "./tasks.js";

/** The filters of one value (no argument) that scalarFilter computes. */
export const SCALAR_FILTERS: ReadonlySet<string> = new Set(["int", "string", "lower", "upper", "trim", "bool", "length"]);

/**
 * `v | name` for the filters of SCALAR_FILTERS; undefined where Jinja's answer is not computed
 * here (a mapping turned into text, the length of a number).
 */
export function scalarFilter(name: string, v: Value): Value | undefined {
  switch (name) {
    case "bool":
      return ansibleBool(v);
    case "length":
      return Array.isArray(v) || typeof v === "string" ? v.length : v !== null && typeof v === "object" ? Object.keys(v).length : undefined;
    case "int":
      if (typeof v === "number") return Math.trunc(v);
      if (typeof v === "boolean") return v ? 1 : 0;
      return typeof v === "string" && /^\s*[-+]?\d+/.test(v) ? Number.parseInt(v, 10) : v === null || typeof v === "object" ? undefined : 0;
    default: {
      if (v !== null && typeof v === "object") return undefined;
      const text = v === null ? "None" : typeof v === "boolean" ? (v ? "True" : "False") : String(v);
      return name === "lower" ? text.toLowerCase() : name === "upper" ? text.toUpperCase() : name === "trim" ? text.trim() : text;
    }
  }
}

/** Ansible's `bool` filter: yes, on, 1, true (any case) are true; other values false. */
export function ansibleBool(v: Value): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1;
  if (typeof v === "string") return ["yes", "on", "1", "true"].includes(v.trim().toLowerCase());
  return false;
}

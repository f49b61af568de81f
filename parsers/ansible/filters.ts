/**
 * Jinja's filters as Ansible computes them: those of one value, for the module arguments and
 * templates (tasks.ts) and the `when:` conditions (when.ts) alike, and those of lists.
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

/** Jinja's identity of two values (Python's ==: numbers and strings apart, lists and mappings by content). */
function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The value at a dotted attribute path of a mapping (`a.b`); undefined where there is none. */
function attributeOf(x: Value, path: string): Value | undefined {
  let y: Value | undefined = x;
  for (const k of path.split(".")) y = Array.isArray(y) ? undefined : itemOf(y, k);
  return y;
}

/** `v[k]` as Jinja's getitem: a mapping's own key, a list's index (from the end when negative); undefined where there is none. */
export function itemOf(v: Value | undefined, k: Value): Value | undefined {
  if (Array.isArray(v)) return typeof k === "number" ? v[k < 0 ? v.length + k : k] : undefined;
  if (v !== null && typeof v === "object" && (typeof k === "string" || typeof k === "number")) return Object.hasOwn(v, String(k)) ? v[String(k)] : undefined;
  return undefined;
}

/** Python's truth of a value (undefined: not known). */
function truthOf(x: Value | undefined): boolean | undefined {
  if (x === undefined) return undefined;
  if (x === null) return false;
  if (typeof x === "object") return Array.isArray(x) ? x.length > 0 : Object.keys(x).length > 0;
  return typeof x === "string" ? x !== "" : typeof x === "number" ? x !== 0 : x;
}

/**
 * `list | name(positional..., keyword=...)` for the list filters templates use (Jinja's and
 * Ansible's): `unique`, `sort` (numbers or strings, Jinja's case-insensitive order; `attribute=`,
 * `reverse=`), `first`, `last`, `flatten` (`levels=`; None and the strings 'None' and 'null' left
 * out, as Ansible does), `map(attribute=...)` or `map(FILTER)` with a filter of one value,
 * `selectattr` / `rejectattr` (an attribute's truth, or `equalto` / `==` / `!=` a value), `union`,
 * `difference`, `intersect` (another list, each unique as Ansible's are); undefined where Jinja's
 * answer is not computed here.
 */
export function listFilter(name: string, list: readonly Value[], positional: readonly Value[], keywords: Readonly<Record<string, Value>>): Value | undefined {
  const uniq = (xs: readonly Value[]) => xs.filter((x, i) => xs.findIndex((y) => sameValue(x, y)) === i);
  const noArguments = positional.length === 0 && Object.keys(keywords).length === 0;
  switch (name) {
    case "unique":
      return noArguments ? uniq(list) : undefined;
    case "first":
    case "last":
      if (!noArguments || list.length === 0) return undefined;
      return name === "first" ? list[0]! : list[list.length - 1]!;
    case "sort": {
      if (positional.length > 0 || Object.keys(keywords).some((k) => k !== "attribute" && k !== "reverse")) return undefined;
      const by = keywords.attribute;
      if (by !== undefined && typeof by !== "string") return undefined;
      const keys = list.map((x) => (by === undefined ? x : attributeOf(x, by)));
      if (!(keys.every((k) => typeof k === "number") || keys.every((k) => typeof k === "string"))) return undefined;
      const order = (a: Value, b: Value): number => {
        if (typeof a === "number") return a - (b as number);
        const x = (a as string).toLowerCase();
        const y = (b as string).toLowerCase();
        return x < y ? -1 : x > y ? 1 : 0;
      };
      const sorted = list.map((x, i) => [x, keys[i]!] as const).sort(([, a], [, b]) => order(a, b)).map(([x]) => x);
      return keywords.reverse === true || keywords.reverse === "true" || keywords.reverse === "True" ? sorted.reverse() : sorted;
    }
    case "flatten": {
      if (positional.length > 0 || Object.keys(keywords).some((k) => k !== "levels")) return undefined;
      const max = keywords.levels === undefined ? Infinity : Number(keywords.levels);
      const flat = (xs: readonly Value[], level: number): Value[] => xs.flatMap((x) => (Array.isArray(x) && level < max ? flat(x, level + 1) : x === null || x === "None" || x === "null" ? [] : [x]));
      return flat(list, 0);
    }
    case "map": {
      const by = keywords.attribute;
      if (typeof by === "string" && positional.length === 0) {
        const out = list.map((x) => attributeOf(x, by));
        return out.some((x) => x === undefined) ? undefined : (out as Value[]);
      }
      const filter = positional[0];
      // map('extract', container, keys): each item looked up in the container (hostvars, a mapping,
      // a list), then the keys in what it holds - an inventory's addresses: groups['app'] | map('extract', hostvars, 'ansible_host')
      if (filter === "extract" && positional.length >= 2 && positional.length <= 3 && Object.keys(keywords).length === 0) {
        const container = positional[1]!;
        const more = positional[2] === undefined || positional[2] === null ? [] : Array.isArray(positional[2]) ? positional[2] : [positional[2]];
        const out = list.map((x) => more.reduce<Value | undefined>((v, k) => itemOf(v, k), itemOf(container, x)));
        return out.some((x) => x === undefined) ? undefined : (out as Value[]);
      }
      if (positional.length !== 1 || Object.keys(keywords).length > 0 || typeof filter !== "string" || !SCALAR_FILTERS.has(filter)) return undefined;
      const out = list.map((x) => scalarFilter(filter, x));
      return out.some((x) => x === undefined) ? undefined : (out as Value[]);
    }
    case "selectattr":
    case "rejectattr": {
      const key = positional[0];
      if (typeof key !== "string" || positional.length === 2 || positional.length > 3 || Object.keys(keywords).length > 0) return undefined;
      let test: (x: Value | undefined) => boolean | undefined;
      if (positional.length === 1) test = truthOf;
      else {
        const [, op, want] = positional;
        if (op === "equalto" || op === "==" || op === "eq") test = (x) => (x === undefined ? undefined : sameValue(x, want!));
        else if (op === "!=" || op === "ne") test = (x) => (x === undefined ? undefined : !sameValue(x, want!));
        else return undefined;
      }
      const out: Value[] = [];
      for (const x of list) {
        const t = test(attributeOf(x, key));
        if (t === undefined) return undefined;
        if (t === (name === "selectattr")) out.push(x);
      }
      return out;
    }
    case "union":
    case "difference":
    case "intersect": {
      const other = positional[0];
      if (positional.length !== 1 || Object.keys(keywords).length > 0 || !Array.isArray(other)) return undefined;
      const has = (xs: readonly Value[], x: Value) => xs.some((y) => sameValue(x, y));
      return name === "union" ? uniq([...list, ...other]) : name === "difference" ? uniq(list.filter((x) => !has(other, x))) : uniq(list.filter((x) => has(other, x)));
    }
    default:
      return undefined;
  }
}

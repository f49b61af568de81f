/**
 * nft JSON (`nft -j list ruleset` output and JSON command batches, libnftables-json(5)) -> the
 * nftables syntax tree (ast.ts), the same one the text reader builds, so both forms mean the same.
 *
 * The document is checked against rules/schema/nft-json.schema.json (ajv, compiled once) and each
 * problem becomes a positioned error `path: expected`; items with a problem are skipped and the rest
 * is still read. Statements and expressions the schema leaves open are read here: anything that is
 * valid JSON but not a form nft knows keeps its JSON path in the error. Never throws.
 *
 * Spans: the line and column of each rule object (or of the command item) in the JSON text; the
 * position of the item an expression belongs to is the position of its rule.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ValidateFunction } from "ajv";
import { RulePackError, packageRoot, validateWithSchema, yamlLibs } from "../../src/engine/rule-pack.js";
import { type Json, Lines, parseJsonText, positionedJson } from "../json-text.js";
import type { Diagnostic, SourceSpan } from "../../src/model/types.js";
import type {
  BaseChainSpec,
  Command,
  EffectStmt,
  Expr,
  MatchOp,
  NatStmt,
  NftDocument,
  NftFamily,
  RuleNode,
  SetDefinition,
  SetElement,
  Stmt,
  TableRef,
  Verdict,
} from "./ast.js";
import { CHAIN_TYPES, HOOK_NAMES, NFT_FAMILIES, noneOfMatch, OBJECT_TYPES, TABLE_FLAGS, type ObjectType } from "./ast.js";
import { guessFamily } from "../../src/model/address.js";
import { CT_KEYS, META_KEYS, negationRefusal, PAYLOAD_FIELDS } from "./vocabulary.js";
import { exprText } from "./expr-text.js";
import { declaredObject } from "./objects.js";
import { nameTable } from "../../src/model/name-table.js";

let compiled: ValidateFunction | undefined;
function schema(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new (yamlLibs().Ajv)({ allErrors: true, allowUnionTypes: true, strict: true, strictTypes: false, verbose: true });
    compiled = ajv.compile(JSON.parse(readFileSync(join(packageRoot(), "rules", "schema", "nft-json.schema.json"), "utf8")) as object);
  }
  return compiled;
}

type Obj = { [k: string]: Json };
type Path = (string | number)[];

/** A problem at a JSON path inside an item: reported, and the item is skipped. */
class Bad {
  constructor(readonly path: Path, readonly expected: string) {}
}

const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const pathText = (p: Path) => p.reduce<string>((s, seg) => (typeof seg === "number" ? `${s}[${seg}]` : s === "" ? seg : `${s}.${seg}`), "");

/**
 * Where each item of the top-level `nftables` array starts, and where the object inside it starts
 * (`{"rule": {...}}` -> the rule object, `{"add": {"rule": {...}}}` -> the rule object too).
 * One linear pass over the text; strings are skipped with their escapes.
 */
function itemOffsets(text: string): { item: number; inner: number; cmd: number }[] {
  const out: { item: number; inner: number; cmd: number }[] = [];
  let depth = 0;
  let cur: { item: number; inner: number; cmd: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (c === 123 && depth === 3) {
        cur = { item: i, inner: -1, cmd: -1 };
        out.push(cur);
      } else if (c === 123 && depth === 4 && cur && cur.inner < 0) cur.inner = i;
      else if (c === 123 && depth === 5 && cur && cur.cmd < 0) cur.cmd = i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return out;
}


export function readNftJson(text: string, file: string): NftDocument {
  const diagnostics: Diagnostic[] = [];
  const commands: Command[] = [];
  const error = (line: number, column: number, message: string) => diagnostics.push({ severity: "error", message, file, line, column });
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    error(parsed.line, parsed.column, parsed.message);
    return { commands, diagnostics, included: [] };
  }
  const data = parsed.data;
  const lines = new Lines(text);
  const skip = new Set<number>();
  try {
    const valid: boolean = schema()(data);
    if (!valid) {
      let issues: { line: number; column: number; path: string; expected: string }[] = [];
      try {
        validateWithSchema(positionedJson(text, file, data), schema());
      } catch (e) {
        if (e instanceof RulePackError) issues = e.issues;
        else throw e;
      }
      for (const i of issues) {
        error(i.line, i.column, `${i.path === "" ? "the document" : i.path}: ${i.expected}`);
        const m = /^nftables\[(\d+)\]/.exec(i.path);
        if (m) skip.add(Number(m[1]));
      }
      if (!isObj(data) || !Array.isArray(data.nftables)) return { commands, diagnostics, included: [] };
    }
  } catch (e) {
    error(1, 1, `internal error in the nft JSON reader: ${e instanceof Error ? e.message : String(e)}`);
    return { commands, diagnostics, included: [] };
  }
  const items = (data as Obj).nftables as Json[];
  const offsets = itemOffsets(text);
  items.forEach((item, k) => {
    if (skip.has(k) || !isObj(item)) return;
    const off = offsets[k];
    const key = Object.keys(item)[0]!;
    const isCmd = CMD_OPS.has(key);
    const at = off === undefined ? 0 : isCmd ? (off.cmd >= 0 ? off.cmd : off.item) : off.inner >= 0 ? off.inner : off.item;
    const pos = lines.at(at);
    const span: SourceSpan = { file, line: pos.line, column: pos.column, text: pos.text };
    try {
      const warn = (message: string) => diagnostics.push({ severity: "warning", file, line: span.line, column: span.column, message });
      const cmd = readItem(item, key, span, ["nftables", k], warn);
      if (cmd?.object === "table" && cmd.flags?.some((f) => !TABLE_FLAGS.has(f))) {
        diagnostics.push({
          severity: "warning", file, line: span.line, column: span.column,
          message: `table ${cmd.table.family} ${cmd.table.name}: its flags read '${cmd.flags.join(",")}', not a table flag: read as dormant (nft 1.0.6 and other versions before the fix 'json: fix use after free in table_flags_json()' print freed memory for a table's one flag, and dormant is the only flag they name)`,
        });
        cmd.flags = ["dormant"];
      }
      if (cmd) commands.push(cmd);
    } catch (e) {
      if (e instanceof Bad) error(span.line, span.column, `${pathText(e.path)}: ${e.expected}`);
      else error(span.line, span.column, `internal error in the nft JSON reader at ${pathText(["nftables", k])}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  labelSharedLines(commands);
  return { commands, diagnostics, included: [], json: true };
}

/**
 * Commands that share a line (`nft -j` prints the whole ruleset on one) get a label that tells
 * them apart in messages: a listed rule's handle, else its place in the array.
 */
function labelSharedLines(commands: Command[]): void {
  const perLine = new Map<number, number>();
  for (const c of commands) perLine.set(c.span.line, (perLine.get(c.span.line) ?? 0) + 1);
  commands.forEach((c) => {
    if (perLine.get(c.span.line)! < 2) return;
    const handle = c.object === "rule" ? c.rule?.handle : undefined;
    c.span.label = handle !== undefined ? `handle ${handle}` : c.object === "chain" ? `chain ${c.chain}` : `column ${c.span.column}`;
  });
}




const CMD_OPS: ReadonlySet<string> = new Set(["add", "create", "insert", "replace", "delete", "destroy", "flush", "list", "reset", "rename"]);

function tableRef(o: Obj): TableRef {
  return { family: ((o.family as string | undefined) ?? "ip") as NftFamily, name: String(o.table ?? o.name) };
}

function readItem(item: Obj, key: string, span: SourceSpan, path: Path, warn: (message: string) => void): Command | null {
  const value = item[key]!;
  if (key === "metainfo") return null;
  if (!CMD_OPS.has(key)) return readObject("add", key, value, span, [...path, key], true, warn);
  if (key === "list" || key === "reset" || key === "rename") return { object: "other", what: `${key} ${Object.keys(value as Obj)[0] ?? ""}`.trim(), span };
  const inner = value as Obj;
  const what = Object.keys(inner)[0]!;
  return readObject(key, what, inner[what]!, span, [...path, key, what], false, warn);
}

function readObject(op: string, what: string, v: Json, span: SourceSpan, path: Path, listing: boolean, warn: (message: string) => void): Command | null {
  const o = (isObj(v) ? v : {}) as Obj;
  // (a table, chain or set is named where it is made; one that is deleted or flushed may be named by its handle)
  if ((what === "table" || what === "chain" || what === "set" || what === "map") && o.name === undefined && (o.handle === undefined || op === "add" || op === "create")) {
    throw new Bad([...path, "name"], `required field is missing (the ${what}'s name${op === "add" || op === "create" ? "" : ", or its handle"})`);
  }
  switch (what) {
    case "ruleset":
      if (op !== "flush") return { object: "other", what: `${op} ruleset`, span };
      return o.family === undefined ? { object: "ruleset", op: "flush", span } : { object: "ruleset", op: "flush", family: o.family as NftFamily, span };
    case "table": {
      const cmd: Extract<Command, { object: "table" }> = { object: "table", op: op as "add", table: { family: ((o.family as string | undefined) ?? "ip") as NftFamily, name: String(o.name) }, span };
      // nft -j prints one flag as a string, several as a list.
      if (o.flags !== undefined) cmd.flags = strList(o.flags);
      return cmd;
    }
    case "chain": {
      const cmd: Extract<Command, { object: "chain" }> = { object: "chain", op: op as "add", table: tableRef(o), chain: String(o.name), span };
      // nft makes a base chain only of all three of type, hook and prio - strings and an integer -
      // and reads the policy only then: else the chain is a regular one, which no hook enters
      const given = (["type", "hook", "prio"] as const).filter((k) => o[k] !== undefined);
      const mistyped = given.filter((k) => (k === "prio" ? !Number.isInteger(o.prio) : typeof o[k] !== "string"));
      if (given.length === 3 && mistyped.length === 0) {
        cmd.base = baseSpec(o, span, path);
        if (typeof o.policy === "string") {
          if (o.policy !== "accept" && o.policy !== "drop") throw new Bad([...path, "policy"], `expected accept or drop, got ${JSON.stringify(o.policy)} (nft: "Unknown policy")`);
          cmd.policy = { verdict: o.policy, span };
        } else if (o.policy !== undefined) warn(`chain ${String(o.name)}: its policy ${JSON.stringify(o.policy)} is not a string, and nft ignores it (the policy is accept)`);
      } else if (mistyped.length > 0) {
        const what = mistyped.map((k) => `${k} ${JSON.stringify(o[k])}`).join(", ");
        warn(`chain ${String(o.name)}: ${what} is no ${mistyped.map((k) => (k === "prio" ? "integer" : "string")).join(" or ")}: nft's JSON reader makes a base chain only of a string type and hook and an integer prio (a named priority is text-only), so this is a regular chain (its policy unread), which no hook enters`);
      } else if (given.length > 0 || o.policy !== undefined) {
        const missing = ["type", "hook", "prio"].filter((k) => o[k] === undefined);
        warn(`chain ${String(o.name)} has ${[...given, ...(o.policy !== undefined ? ["policy"] : [])].join(", ")} but no ${missing.join(" or ")}: nft makes it a regular chain (its policy unread), which no hook enters`);
      }
      return cmd;
    }
    case "rule": {
      const cmd: Extract<Command, { object: "rule" }> = { object: "rule", op: op as "add", table: tableRef(o), chain: String(o.chain), span };
      // In a listing, `handle` is the rule's own; in add/insert it names the rule to place it by.
      if (!listing && typeof o.handle === "number") cmd.handle = o.handle;
      if (!listing && typeof o.position === "number") cmd.handle = o.position;
      if (typeof o.index === "number") cmd.index = o.index;
      if (op !== "delete" && op !== "destroy") {
        if (!Array.isArray(o.expr)) throw new Bad([...path, "expr"], "required field is missing (the rule's statements)");
        const rule: RuleNode = { stmts: o.expr.map((s, i) => stmt(s, span, [...path, "expr", i])), span };
        if (typeof o.comment === "string") rule.comment = o.comment;
        if (listing && typeof o.handle === "number") rule.handle = o.handle;
        cmd.rule = rule;
      }
      return cmd;
    }
    case "set":
    case "map": {
      const cmd: Extract<Command, { object: "set" }> = { object: "set", op: op as "add", table: tableRef(o), name: String(o.name), span };
      if (op === "add" || op === "create") {
        if (o.type === undefined) throw new Bad([...path, "type"], "required field is missing (the set's key type; nft: \"Invalid set type\")");
        cmd.definition = setDefinition(o, span, path, warn);
      }
      return cmd;
    }
    case "element":
      return { object: "element", op: op as "add", table: tableRef(o), set: String(o.name), elements: elements(o.elem as Json[], span, [...path, "elem"]), span };
    default: {
      // named objects: `{"counter": {"family": ..., "table": ..., "name": ...}}`, `{"ct helper": {...}}`, `{"flowtable": {...}}`
      if (NAMED_OBJECTS.has(what)) requireObjectFields(what, op, o, path);
      const obj = typeof o.name === "string" && o.table !== undefined ? declaredObject([...what.split(" "), o.name]) : undefined;
      if (obj && (op === "add" || op === "create" || op === "delete" || op === "destroy")) return { object: "obj", op, table: tableRef(o), type: obj.type, name: obj.name, span };
      return { object: "other", what: `${op} ${what}`, span };
    }
  }
}

/** The objects nft's JSON reader reads by family, table and name (parser_json.c's object and flowtable readers). */
const NAMED_OBJECTS: ReadonlySet<string> = new Set(["counter", "quota", "limit", "secmark", "synproxy", "tunnel", "ct helper", "ct timeout", "ct expectation", "flowtable"]);

/** nft's JSON reader's required field `k` of `o` (at `path`), a JSON string, integer or anything; throws Bad with nft's words. */
function requireField(o: Obj, path: Path, k: string, kind: "string" | "integer" | "any", why: string): void {
  const v = o[k];
  if (v === undefined) throw new Bad([...path, k], `required field is missing (${why}; nft: "Object item not found: ${k}")`);
  if (kind !== "any" && (kind === "string" ? typeof v !== "string" : !Number.isInteger(v))) throw new Bad([...path, k], `expected ${kind === "string" ? "a string" : "an integer"}, got ${JSON.stringify(v)} (nft: "Expected ${kind}")`);
}

/**
 * What nft requires of a named object: its family and table (strings), its name where it is made
 * (a delete may name it by its handle, a ct helper's only by name), and a flowtable's hook and
 * integer priority. Throws Bad with nft's own words.
 */
function requireObjectFields(what: string, op: string, o: Obj, path: Path): void {
  const field = (k: string, kind: "string" | "integer", why: string) => requireField(o, path, k, kind, why);
  field("family", "string", `the ${what}'s family`);
  field("table", "string", `the table the ${what} is in`);
  const removing = op === "delete" || op === "destroy";
  if (!removing || what === "ct helper") field("name", "string", `the ${what}'s name`);
  else if (typeof o.name !== "string" && !Number.isInteger(o.handle)) throw new Bad([...path, "name"], `required field is missing (the ${what}'s name or handle; nft: "Either name or handle required to delete an object.")`);
  if (removing) return;
  if (what === "flowtable") {
    field("hook", "string", "the flowtable's hook");
    field("prio", "integer", "the flowtable's priority");
  }
  if (what === "limit") {
    field("rate", "integer", "the limit's rate");
    field("per", "string", "the limit's time unit");
  }
  if (what === "synproxy") {
    field("mss", "integer", "the synproxy's mss");
    field("wscale", "integer", "the synproxy's wscale");
  }
  if (what === "ct helper" || what === "ct timeout" || what === "ct expectation") {
    // (read where they are strings; the JSON reader knows two transport protocols, as the text one does not)
    if (typeof o.protocol === "string" && o.protocol !== "tcp" && o.protocol !== "udp") throw new Bad([...path, "protocol"], `expected tcp or udp, got ${JSON.stringify(o.protocol)} (nft: "Invalid ${what} protocol")`);
    if (typeof o.l3proto === "string" && !(NFT_FAMILIES as readonly string[]).includes(o.l3proto)) throw new Bad([...path, "l3proto"], `expected a family (${NFT_FAMILIES.join(", ")}), got ${JSON.stringify(o.l3proto)} (nft: "Invalid ${what} l3proto")`);
  }
}

/** A base chain's type, hook and priority (strings and an integer: see the chain case). */
function baseSpec(o: Obj, span: SourceSpan, path: Path): BaseChainSpec {
  const type = o.type as string;
  const hook = o.hook as string;
  if (!HOOK_NAMES.has(hook)) throw new Bad([...path, "hook"], `expected one of ${[...HOOK_NAMES].join(", ")}, got ${JSON.stringify(hook)} (nft: "Invalid chain hook")`);
  if (!CHAIN_TYPES.has(type)) throw new Bad([...path, "type"], `expected filter, nat or route, got ${JSON.stringify(type)} (the kernel has no such chain type)`);
  const devices = o.dev === undefined ? undefined : Array.isArray(o.dev) ? o.dev.map(String) : [String(o.dev)];
  const spec: BaseChainSpec = { type, hook, priority: { base: o.prio as number, offset: 0, span }, span };
  if (devices) spec.devices = devices;
  return spec;
}

function strList(v: Json | undefined): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/**
 * A set's or map's declaration. nft -j makes a map of what has a "map" data type, whatever the
 * object's key: {"map": {...}} without one is a set (and a lookup of it as a map is refused: "set
 * is not a map"). A size that is no number nft ignores (with a warning).
 */
function setDefinition(o: Obj, span: SourceSpan, path: Path, warn: (message: string) => void): SetDefinition {
  const def: SetDefinition = { kind: o.map !== undefined ? "map" : "set", name: String(o.name), keyType: [], flags: strList(o.flags), elements: [], options: {}, span };
  const typed = (v: Json | undefined, at: Path): { names: string[]; typeof?: Expr[] } => {
    if (isObj(v) && "typeof" in v) {
      const e = expr(v.typeof!, span, [...at, "typeof"]);
      return { names: [], typeof: e.kind === "concat" ? e.parts : [e] };
    }
    return { names: strList(v) };
  };
  const key = typed(o.type, [...path, "type"]);
  def.keyType = key.names;
  if (key.typeof) def.keyTypeof = key.typeof;
  if (o.map !== undefined) {
    const data = typed(o.map, [...path, "map"]);
    def.dataType = data.names;
    if (data.typeof) def.dataTypeof = data.typeof;
  }
  if (Array.isArray(o.elem)) def.elements = elements(o.elem, span, [...path, "elem"]);
  for (const k of ["timeout", "gc-interval", "policy", "auto-merge"]) if (o[k] !== undefined) def.options[k] = String(o[k]);
  if (typeof o.comment === "string") def.options.comment = o.comment;
  if (Number.isInteger(o.size)) def.options.size = String(o.size);
  else if (o.size !== undefined) warn(`${def.kind} ${def.name}: its size ${JSON.stringify(o.size)} is not a number, and nft ignores it (the ${def.kind} has no size)`);
  if (Array.isArray(o.stmt)) {
    def.options.stmt = o.stmt.map((s) => jsonText(s)).join(" ");
    // (each statement by its name too, as the text reader keeps `counter`, `limit rate ...`)
    for (const s of o.stmt) if (isObj(s)) for (const name of Object.keys(s)) def.options[name] ??= jsonText(s[name]!);
  }
  return def;
}

function elements(list: Json[], span: SourceSpan, path: Path): SetElement[] {
  const out: SetElement[] = new Array<SetElement>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = element(list[i]!, span, [...path, i]);
  return out;
}

/** A set or map element: a value, `[key, data]` for maps, `{"elem": {"val": ..., options}}`. */
function element(v: Json, span: SourceSpan, path: Path): SetElement {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw new Bad(path, `expected a [key, data] pair, found a list of ${v.length}`);
    const k = element(v[0]!, span, [...path, 0]);
    if (v[1] === "*") throw new Bad([...path, 1], "a catch-all '*' is only allowed as an element key, not as data");
    const out: SetElement = { key: k.key, data: expr(v[1]!, span, [...path, 1]), span };
    if (k.options) out.options = k.options;
    return out;
  }
  if (isObj(v) && isObj(v.elem)) {
    // (without its value the element is nothing: read as an expression, it was this element again, for ever)
    if (!Object.hasOwn(v.elem, "val")) throw new Bad([...path, "elem"], `expected the element's value ("val"), found ${Object.keys(v.elem).length === 0 ? "none" : `only ${Object.keys(v.elem).map((k) => `"${k}"`).join(", ")}`} (nft: "Object item not found: val")`);
    const { val, ...rest } = v.elem;
    const out: SetElement = { key: expr(val!, span, [...path, "elem", "val"]), span };
    const opts = Object.fromEntries(Object.entries(rest).map(([k, x]) => [k, typeof x === "string" ? x : jsonText(x)]));
    if (Object.keys(opts).length > 0) out.options = opts;
    return out;
  }
  return { key: expr(v, span, path), span };
}

/** Compact text of a JSON value, for expressions and statements fwlint keeps without modelling. */
function jsonText(v: Json): string {
  if (v === null) return "";
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) return v.map(jsonText).join(",");
  return Object.entries(v)
    .map(([k, x]) => (x === null ? k : typeof x === "object" && !Array.isArray(x) ? `${k} ${jsonText(x)}` : `${k} ${jsonText(x)}`))
    .join(" ");
}

const BINOPS: ReadonlySet<string> = new Set(["&", "|", "^", "<<", ">>"]);
const VERDICT_KEYS: ReadonlySet<string> = new Set(["accept", "drop", "continue", "return", "jump", "goto"]);
const ADDR_PREFIX = /^([0-9a-fA-F:.]+)\/([0-9]{1,3})$/;

function verdictOf(key: string, v: Json, path: Path): Verdict {
  if (key === "jump" || key === "goto") {
    if (!isObj(v) || typeof v.target !== "string" || v.target === "") throw new Bad([...path, key, "target"], "expected the name of the chain to jump to");
    return { kind: key, target: v.target };
  }
  return { kind: key as "accept" };
}

/**
 * Path segments an expression may reach down to (two per level of nesting: the operator and the
 * operand's index). Reading recurses per level; nft itself writes a few levels.
 */
const MAX_EXPR_PATH = 256;

export function expr(v: Json, span: SourceSpan, path: Path): Expr {
  if (path.length > MAX_EXPR_PATH) throw new Bad(path.slice(0, 12), `expected an expression nested at most ${MAX_EXPR_PATH / 2} levels deep, found deeper (below this point)`);
  if (typeof v === "string") {
    if (v.startsWith("@")) return { kind: "setref", name: v.slice(1), span };
    const p = ADDR_PREFIX.exec(v);
    if (p && (v.includes(":") || v.includes("."))) return { kind: "prefix", addr: p[1]!, length: Number(p[2]), span };
    // (a JSON string is a string, as a quoted word of the text form is: `"log"` is an interface name, not a keyword)
    return { kind: "value", text: v, quoted: true, span };
  }
  if (typeof v === "number" || typeof v === "boolean") return { kind: "value", text: String(v), span };
  if (v === null) throw new Bad(path, "expected an expression, found null");
  if (Array.isArray(v)) return { kind: "list", items: v.map((x, i) => expr(x, span, [...path, i])), span };
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new Bad(path, `expected an expression object with one key, found ${keys.length === 0 ? "none" : keys.join(", ")}`);
  const key = keys[0]!;
  const a = v[key]!;
  const at = [...path, key];
  const o = isObj(a) ? a : ({} as Obj);
  switch (key) {
    case "payload":
      if (typeof o.protocol === "string" && typeof o.field === "string") {
        // a header names only its own fields (nft refuses "dprot"), and nft knows no other header
        const fields = PAYLOAD_FIELDS[o.protocol];
        if (!fields) throw new Bad([...at, "protocol"], `expected a header nft knows (${Object.keys(PAYLOAD_FIELDS).join(", ")}), got '${o.protocol}' (nft: "Unknown payload protocol")`);
        if (!fields.has(o.field)) throw new Bad([...at, "field"], `expected a field of the ${o.protocol} header (${[...fields].join(", ")}), got '${o.field}'`);
        return { kind: "payload", protocol: o.protocol, field: o.field, span };
      }
      if (o.base !== undefined && o.offset !== undefined && o.len !== undefined) return { kind: "opaque", name: "payload", text: `@${String(o.base)},${String(o.offset)},${String(o.len)}`, span };
      throw new Bad(at, "expected protocol and field, or base, offset and len (nft: \"Invalid payload expression properties\")");
    case "meta":
      if (typeof o.key !== "string") throw new Bad([...at, "key"], "expected the meta key (a string)");
      if (!META_KEYS.has(o.key)) throw new Bad([...at, "key"], `expected a meta key (${[...META_KEYS].join(", ")}), got '${o.key}'`);
      return { kind: "meta", key: o.key, span };
    case "ct": {
      if (typeof o.key !== "string") throw new Bad([...at, "key"], "expected the ct key (a string)");
      // nft 1.0.6 writes the family into the key (`"key": "ip saddr"`); the documented form has "family".
      const keyed = /^(ip6?) (saddr|daddr)$/.exec(o.key);
      if (!keyed && !CT_KEYS.has(o.key)) throw new Bad([...at, "key"], `expected a ct key (${[...CT_KEYS].join(", ")}), got '${o.key}' (nft: "Unknown ct key")`);
      const e: Expr = { kind: "ct", key: keyed ? keyed[2]! : o.key, span };
      if (o.dir === "original" || o.dir === "reply") e.direction = o.dir;
      const family = keyed ? keyed[1] : o.family;
      if (family === "ip" || family === "ip6") e.family = family;
      return e;
    }
    case "fib":
      if (typeof o.result !== "string") throw new Bad([...at, "result"], "expected the fib result (oif, oifname, type)");
      return { kind: "fib", flags: strList(o.flags), result: o.result, span };
    case "prefix":
      // (an address may be written as its number, as elsewhere: 65536 is 0.1.0.0)
      if (typeof o.addr !== "string" && !isObj(o.addr) && !Number.isInteger(o.addr)) throw new Bad([...at, "addr"], "expected an address");
      if (typeof o.len !== "number") throw new Bad([...at, "len"], "expected a prefix length (a number)");
      return { kind: "prefix", addr: typeof o.addr === "string" ? o.addr : typeof o.addr === "number" ? String(o.addr) : jsonText(o.addr), length: o.len, span };
    case "range":
      if (!Array.isArray(a) || a.length !== 2) throw new Bad(at, "expected [low, high]");
      return { kind: "range", low: expr(a[0]!, span, [...at, 0]), high: expr(a[1]!, span, [...at, 1]), span };
    case "set":
      return { kind: "set", elements: Array.isArray(a) ? elements(a, span, at) : [element(a, span, at)], span };
    case "map": {
      if (o.key === undefined || o.data === undefined) throw new Bad(at, "expected key and data");
      const m = expr(o.data, span, [...at, "data"]);
      if (m.kind !== "set" && m.kind !== "setref") throw new Bad([...at, "data"], "expected an anonymous map or @name");
      return { kind: "map", key: expr(o.key, span, [...at, "key"]), map: m, span };
    }
    case "concat":
      if (!Array.isArray(a)) throw new Bad(at, "expected a list of expressions");
      return { kind: "concat", parts: a.map((x, i) => expr(x, span, [...at, i])), span };
    case "elem":
      if (!isObj(a)) throw new Bad(at, `expected an element, an object {"val": ...}`);
      return element(v, span, path).key;
    case "numgen":
    case "jhash":
    case "symhash": {
      // a value drawn per packet (generators.ts): nft's JSON reader requires its modulus, numgen's mode, jhash's expression
      const g = isObj(a) ? a : {};
      requireField(g, at, "mod", "integer", `the ${key}'s modulus`);
      if (key === "numgen") {
        requireField(g, at, "mode", "any", "inc or random");
        if (g.mode !== "inc" && g.mode !== "random") throw new Bad([...at, "mode"], `expected inc or random, got ${JSON.stringify(g.mode)} (nft: "Unknown numgen mode")`);
      }
      if (key === "jhash") requireField(g, at, "expr", "any", "what the hash is of");
      return { kind: "opaque", name: key, text: `${key} ${jsonText(a)}`.trim(), span };
    }
    default:
      if (BINOPS.has(key)) {
        if (!Array.isArray(a) || a.length < 2) throw new Bad(at, "expected a list of at least two operands");
        let e = expr(a[0]!, span, [...at, 0]);
        for (let i = 1; i < a.length; i++) e = { kind: "binop", op: key as "&", left: e, right: expr(a[i]!, span, [...at, i]), span };
        return e;
      }
      if (VERDICT_KEYS.has(key)) return { kind: "verdict", verdict: verdictOf(key, a, path), span };
      return { kind: "opaque", name: key, text: `${key} ${jsonText(a)}`.trim(), span };
  }
}

/** Statements that do not decide; `true` for the ones that also filter (the mapper makes those Unknown). */
const EFFECTS: Readonly<Record<string, boolean>> = nameTable({
  counter: false, log: false, notrack: false, mangle: false, dup: false, fwd: false, tproxy: false, synproxy: false,
  flow: false, secmark: false, "ct helper": false, "ct timeout": false, "ct expectation": false, last: false,
  limit: true, quota: true, meter: true, "ct count": true, connlimit: true, xt: true,
});

function effectName(key: string, a: Json): string {
  if (key === "mangle" && isObj(a) && isObj(a.key)) {
    const k = Object.keys(a.key)[0] ?? "mangle";
    const inner = a.key[k];
    return k === "payload" && isObj(inner) && typeof inner.protocol === "string" ? inner.protocol : k;
  }
  if (key.startsWith("ct ")) return "ct";
  return key;
}

function effectText(key: string, a: Json): string {
  if (key === "limit" && isObj(a)) {
    const over = a.inv === true ? "over " : "";
    const unit = a.rate_unit !== undefined && a.rate_unit !== "packets" ? ` ${String(a.rate_unit)}` : "";
    const burst = a.burst !== undefined && a.burst !== 0 ? ` burst ${String(a.burst)} ${String(a.burst_unit ?? "packets")}` : "";
    return `limit rate ${over}${String(a.rate)}${unit}/${String(a.per ?? "second")}${burst}`;
  }
  if (key === "quota" && isObj(a)) return `quota ${a.inv === true ? "over " : ""}${String(a.val)} ${String(a.val_unit ?? "bytes")}`;
  if (key === "ct count" && isObj(a)) return `ct count ${a.inv === true ? "over " : ""}${String(a.val)}`;
  if (key === "counter") return "counter";
  if (key === "notrack") return "notrack";
  // As the text form prints it: `xt match recent`, `xt target CHECKSUM`.
  if (key === "xt" && isObj(a)) return `xt ${String(a.type)} ${String(a.name)}`;
  return `${key} ${jsonText(a)}`.trim();
}

function natStmt(type: NatStmt["type"], a: Json, span: SourceSpan, path: Path): NatStmt {
  const st: NatStmt = { kind: "nat", type, span };
  if (!isObj(a)) return st;
  if (a.family === "ip" || a.family === "ip6") st.family = a.family;
  else if (a.family !== undefined) throw new Bad([...path, "family"], `expected ip or ip6, got ${JSON.stringify(a.family)} (nft: "Invalid family")`);
  if (a.addr !== undefined) st.addr = expr(a.addr, span, [...path, "addr"]);
  if (a.port !== undefined) st.port = expr(a.port, span, [...path, "port"]);
  const flags = [...strList(a.flags), ...strList(a.type_flags)];
  if (flags.length > 0) st.flags = flags;
  return st;
}

/**
 * `nft -j list ruleset` leaves out the family the text form prints (`ct original ip saddr`), even
 * in an inet table: it follows from the address compared with.
 */
function ctFamilyFrom(left: Expr, right: Expr): Expr {
  if (left.kind !== "ct" || left.family !== undefined || left.direction === undefined || (left.key !== "saddr" && left.key !== "daddr")) return left;
  const sample = (e: Expr): string | undefined => {
    if (e.kind === "value") return e.text;
    if (e.kind === "prefix") return e.addr;
    if (e.kind === "range") return sample(e.low);
    if (e.kind === "set") return e.elements.length > 0 ? sample(e.elements[0]!.key) : undefined;
    if (e.kind === "list") return e.items.length > 0 ? sample(e.items[0]!) : undefined;
    return undefined;
  };
  const a = sample(right);
  if (a === undefined || !/^[0-9a-fA-F:.]+$/.test(a)) return left;
  return { ...left, family: guessFamily(a) === 6 ? "ip6" : "ip" };
}

const OPS: Readonly<Record<string, MatchOp>> = nameTable({ "==": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", in: "implicit" });

export function stmt(s: Json, span: SourceSpan, path: Path): Stmt {
  if (!isObj(s)) throw new Bad(path, "expected a statement object");
  const key = Object.keys(s)[0]!;
  const a = s[key]!;
  const at = [...path, key];
  if (VERDICT_KEYS.has(key)) return { kind: "verdict", verdict: verdictOf(key, a, path), span };
  switch (key) {
    case "match": {
      const m = a as Obj;
      const right = expr(m.right!, span, [...at, "right"]);
      const left = ctFamilyFrom(expr(m.left!, span, [...at, "left"]), right);
      if (m.op === "!") {
        const refused = negationRefusal(left, right);
        if (refused) throw new Bad([...at, "op"], refused);
        return noneOfMatch(left, right, span);
      }
      return { kind: "match", left, op: OPS[m.op as string]!, right, span };
    }
    case "vmap": {
      const m = a as Obj;
      const data = expr(m.data!, span, [...at, "data"]);
      if (data.kind !== "set" && data.kind !== "setref") throw new Bad([...at, "data"], "expected an anonymous verdict map or @name");
      return { kind: "vmap", key: expr(m.key!, span, [...at, "key"]), map: data, span };
    }
    case "queue": {
      const o = isObj(a) ? a : {};
      const num = o.num === undefined ? "" : ` num ${isObj(o.num) || Array.isArray(o.num) ? jsonText(o.num) : String(o.num)}`;
      const flags = strList(o.flags);
      return { kind: "verdict", verdict: { kind: "queue", text: `queue${num}${flags.length ? ` ${flags.join(",")}` : ""}` }, span };
    }
    case "reject": {
      const o = isObj(a) ? a : {};
      if (o.type === undefined) return { kind: "reject", span };
      const t = String(o.type);
      return { kind: "reject", with: o.expr === undefined ? t : `${t} ${typeof o.expr === "string" ? o.expr : jsonText(o.expr)}`, span };
    }
    case "dnat":
    case "snat":
    case "masquerade":
    case "redirect":
      return natStmt(key, a, span, at);
    case "set":
    case "map": {
      const o = isObj(a) ? a : {};
      const name = String(o.set ?? o.map ?? "");
      if (!name.startsWith("@")) throw new Bad([...at, key === "set" ? "set" : "map"], "expected the name of a set, as @name");
      if (o.op !== "add" && o.op !== "update" && o.op !== "delete") throw new Bad([...at, "op"], "must be one of add, update, delete");
      if (o.elem === undefined) throw new Bad([...at, "elem"], "required field is missing");
      const st: Extract<Stmt, { kind: "setop" }> = { kind: "setop", op: o.op, set: name.slice(1), elem: expr(o.elem, span, [...at, "elem"]), span };
      // `update @m { ip saddr : tcp dport }`: the data the map statement writes
      if (key === "map" && o.data !== undefined) st.data = expr(o.data, span, [...at, "data"]);
      // `update @s { ip saddr limit rate over 3/minute }`: the element's statements.
      if (Array.isArray(o.stmt)) {
        const effects = o.stmt.map((x, i) => stmt(x, span, [...at, "stmt", i])).filter((x): x is EffectStmt => x.kind === "effect");
        if (effects.length > 0) st.effects = effects;
      }
      return st;
    }
    case "mangle": {
      // Read (and so check) the expressions even though the statement is not modelled.
      const o = isObj(a) ? a : {};
      if (o.key === undefined || o.value === undefined) throw new Bad(at, "expected key and value");
      const k = expr(o.key, span, [...at, "key"]);
      const v = expr(o.value, span, [...at, "value"]);
      // as the text form writes it: `meta mark set meta mark | 0x10` (what the mapper reads)
      return { kind: "effect", name: effectName(key, a), text: `${exprText(k)} set ${exprText(v)}`, filters: false, assign: { key: k, value: v }, span };
    }
    default: {
      // (nft reads an anonymous counter's object as exactly its two numbers: "Unknown expression
      // type 'bytes'" without packets, "Malformed object" with a number as a string)
      if (key === "counter" && isObj(a) && a.map === undefined && !(Object.keys(a).length === 2 && Number.isInteger(a.packets) && Number.isInteger(a.bytes))) {
        throw new Bad(at, "expected null, a counter's name, a map choosing one, or { \"packets\": N, \"bytes\": N }");
      }
      const st: EffectStmt = { kind: "effect", name: effectName(key, a), text: effectText(key, a), filters: EFFECTS[key] ?? true, span };
      // `{"synproxy": {"map": {"key": ..., "data": {"set": [...]}}}}`: the object picked per packet
      if (isObj(a) && isObj(a.map)) {
        st.chooser = expr({ map: a.map }, span, at);
        if (OBJECT_TYPES.has(key)) st.chooses = key as ObjectType;
      }
      // `{"meter": {"name": "m", "key": ..., "stmt": ...}}`: the key the meter keeps per element
      if (key === "meter" && isObj(a) && a.key !== undefined) {
        st.key = expr(a.key, span, [...at, "key"]);
        // as nft prints it: `meter m size 65535 { ip saddr limit rate 5/minute }`
        const inner = isObj(a.stmt) ? Object.entries(a.stmt)[0] : undefined;
        const size = a.size !== undefined ? ` size ${String(a.size)}` : "";
        if (inner) st.text = `meter ${String(a.name ?? "")}${size} { ${exprText(st.key)} ${effectText(inner[0], inner[1])} }`;
      }
      // `{"counter": "c"}`, `{"ct helper": "ftp"}`, `{"secmark": "s"}`: a named object; `{"flow": {"flowtable": "@f"}}`
      const object = typeof a === "string" ? declaredObject([...key.split(" "), a]) : key === "flow" && isObj(a) && typeof a.flowtable === "string" ? declaredObject(["flowtable", a.flowtable.replace(/^@/, "")]) : undefined;
      if (object) st.object = object;
      return st;
    }
  }
}

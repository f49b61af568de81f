/**
 * Azure network security group JSON -> NSGs and their security rules, with the place of each part
 * in the text. The document is checked against rules/schema/azure-nsg.schema.json (ajv, compiled
 * once); each problem is an error `path: expected` at its place, and the rule holding it is left
 * out while the others are still read. Never throws.
 *
 * Shapes read (docs/formats.md section 8):
 * - an ARM REST resource `{"name", "id", "type": "Microsoft.Network/networkSecurityGroups",
 *   "properties": {"securityRules": [...], "defaultSecurityRules": [...]}}`, and the REST list
 *   `{"value": [...]}`;
 * - `az network nsg show` / `list` (a bare array): the same with the fields flattened out of
 *   `properties`, rules too; `az network nsg rule list` / `show` and REST rule resources: security
 *   rules on their own, grouped by the NSG their id names;
 * - an ARM deployment template: the NSG resources of `resources` (array, or object of symbolic
 *   names) and their security rule child resources; other resource types are left out, with a note;
 * - a VCR cassette (`interactions[]`): the successful responses replayed in order, each NSG read as
 *   the last response shows it (a PUT of one rule updates its NSG, a DELETE removes); a body is
 *   `{"data": document}` or `{"string": "JSON text"}` (placed inside the string).
 * Singular and plural fields (`sourcePortRange` / `sourcePortRanges`, ...) are unioned. A template
 * expression (`[parameters('x')]`) is kept as written: the mapper makes it an unknown.
 */
import { schemaIssues } from "../json-schema.js";
import { type Json, Lines, jsonPlaces, MAX_JSON_DEPTH, parseJsonText, pathKey } from "../json-text.js";
import type { Diagnostic, SourceSpan } from "../../src/model/types.js";

/** A value as written (numbers as their decimal text), and where. */
export interface Placed {
  text: string;
  span: SourceSpan;
}

/** An ARM template expression written where a value was expected: its value is not in the file. */
export interface Expression {
  expression: string;
  span: SourceSpan;
}

export type Direction = "Inbound" | "Outbound";

export interface SecurityRule {
  name: string;
  /** 100-4096 for the user's rules, 65000-65500 for Azure's defaults; lower numbers are evaluated first. */
  priority: number | Expression;
  direction: Direction | Expression;
  access: "Allow" | "Deny" | Expression;
  /** As written: `*`, `Tcp`, `TCP`, `Icmp`, ... or an expression. */
  protocol: Placed;
  /** The singular field and the plural list, unioned; empty: neither was given. */
  sourcePorts: Placed[];
  destinationPorts: Placed[];
  sourceAddresses: Placed[];
  destinationAddresses: Placed[];
  /** Application security groups by name (the last part of their id), or the expression naming them. */
  sourceAsgs: Placed[];
  destinationAsgs: Placed[];
  /** One of `defaultSecurityRules`. */
  isDefault: boolean;
  /** Stands for the rules a template computes (told once, by the reader). */
  computed?: true;
  /** The rule's `name` value (its object without one). */
  span: SourceSpan;
}

export interface Nsg {
  name: string;
  /** The ARM id, lowercased (ids are case-insensitive): how a recording's responses name the same NSG. */
  key: string;
  resourceGroup?: string;
  rules: SecurityRule[];
  /** The document's `defaultSecurityRules` (Azure's own; the mapper adds the ones missing). */
  defaults: SecurityRule[];
  /** The NSG's `name` value (its object without one). */
  span: SourceSpan;
  /** The `securityRules` key, where Azure's implied default rules are told; the NSG's span without one. */
  rulesSpan: SourceSpan;
}

export interface AzureDocument {
  nsgs: Nsg[];
  /** The document's start. */
  span: SourceSpan;
}

type Obj = { [k: string]: Json };
type Path = (string | number)[];
const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

const NSG_TYPE = "microsoft.network/networksecuritygroups";
/** `[parameters('x')]`, `[concat(...)]`: an ARM template expression (`[[` escapes a literal bracket). */
export const isExpression = (s: string): boolean => /^\[(?!\[)[\s\S]*\]$/.test(s.trim());

/** A path as the schema's complaints spell it: `value[0].properties.securityRules[2]`. */
function pathText(path: Path): string {
  let s = "";
  for (const seg of path) s += typeof seg === "number" ? `[${seg}]` : s === "" ? seg : `.${seg}`;
  return s;
}

/** One JSON document the NSGs are read from: the file, or the JSON text inside a recorded string. */
interface Source {
  /** The place of the value at `path` (or its key), else of the nearest part above it that is there. */
  spanAt(path: Path, atKey?: boolean): SourceSpan;
  /** Paths of the parts the schema found wrong. */
  bad: string[];
}

const isBad = (src: Source, path: Path): boolean => {
  const p = pathText(path);
  return src.bad.some((b) => b === p || (p === "" ? b !== "" : b.startsWith(`${p}.`) || b.startsWith(`${p}[`)));
};

function typeOf(o: Obj): string {
  return typeof o.type === "string" ? o.type.toLowerCase() : "";
}

/** The object holding an NSG's fields: itself (az CLI, flattened) or its `properties` (REST, templates). */
function nsgFields(o: Obj): [Obj, Path] {
  if ("securityRules" in o || "defaultSecurityRules" in o || !isObj(o.properties)) return [o, []];
  return [o.properties, ["properties"]];
}

function isNsg(o: Obj): boolean {
  if (typeOf(o) === NSG_TYPE) return true;
  const [f] = nsgFields(o);
  return Array.isArray(f.securityRules) || Array.isArray(f.defaultSecurityRules);
}

function isRule(o: Obj): boolean {
  if (/(^|\/)(default)?securityrules$/.test(typeOf(o))) return true;
  const f = isObj(o.properties) ? o.properties : o;
  return "access" in f && "direction" in f;
}

/** Template context: its parameters' defaults and variables, for naming an NSG whose name is an expression. */
interface Template {
  parameters: Obj;
  variables: Obj;
}

/** What one document holds. */
interface Gathered {
  nsgs: Nsg[];
  /** Rules given on their own, with the NSG they belong to (its key or name), when told. */
  loose: { rule: SecurityRule; parentKey?: string; parentName?: string; inTemplate?: boolean }[];
  /** Resources of other types (subnets, NICs, VMs...). */
  others: number;
}

export function readAzureNsg(text: string, file: string): { doc: AzureDocument; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const doc: AzureDocument = { nsgs: [], span: { file, line: 1, column: 1 } };
  const error = (span: { line: number; column: number }, message: string) => diagnostics.push({ severity: "error", message, file, line: span.line, column: span.column });
  const tell = (severity: "warning" | "info") => (span: SourceSpan, message: string) => diagnostics.push({ severity, message, file, line: span.line, column: span.column });
  const warn = tell("warning");
  const info = tell("info");
  const parsed = parseJsonText(text, MAX_JSON_DEPTH);
  if (!parsed.ok) {
    error(parsed, parsed.message);
    return { doc, diagnostics };
  }
  const data = parsed.data;
  const places = jsonPlaces(text);
  const lines = new Lines(text);
  const placeOf = (offset: number): SourceSpan => {
    const { line, column, text: lineText } = lines.at(offset);
    return { file, line, column, text: lineText };
  };
  const locate = (pl: ReturnType<typeof jsonPlaces>, path: Path, atKey: boolean): number => {
    let offset = atKey ? pl.key.get(pathKey(path)) : undefined;
    for (let n = path.length; offset === undefined && n >= 0; n--) offset = pl.value.get(pathKey(path.slice(0, n)));
    return offset ?? 0;
  };
  const outer: Source = { spanAt: (path, atKey = false) => placeOf(locate(places, path, atKey)), bad: [] };
  doc.span = outer.spanAt([]);

  for (const i of schemaIssues(text, file, data, "azure-nsg")) {
    error(i, `${i.path === "" ? "the document" : i.path}: ${i.expected}`);
    outer.bad.push(i.path);
  }

  const ctx: ReadContext = { warn, info, error };

  if (isObj(data) && Array.isArray(data.interactions)) {
    doc.nsgs = replay(data.interactions, outer, ctx, file, (path) => locate(places, path, false), text, placeOf);
    if (doc.nsgs.length === 0 && !diagnostics.some((d) => d.severity === "error")) info(doc.span, "the recording holds no network security groups");
    return { doc, diagnostics };
  }

  const g: Gathered = { nsgs: [], loose: [], others: 0 };
  const found = gatherDocument(outer, data, [], g, ctx);
  doc.nsgs = assemble(g, ctx);
  if (!found && g.nsgs.length === 0 && g.loose.length === 0) {
    if (!diagnostics.some((d) => d.severity === "error")) {
      error(doc.span, "the document: expected Azure network security groups (an NSG resource, a `value` list or array of them, `az network nsg` output, security rules, an ARM template's `resources` or a recording's `interactions`)");
    }
  } else if (doc.nsgs.length === 0 && !diagnostics.some((d) => d.severity === "error")) {
    info(doc.span, "the document holds no network security groups");
  }
  if (g.others > 0 && (doc.nsgs.length > 0 || found)) {
    info(doc.span, `${g.others} resource${g.others === 1 ? " is" : "s are"} not network security groups and left out (which subnets and network interfaces an NSG is associated with is not read: each NSG is analysed on its own)`);
  }
  return { doc, diagnostics };
}

interface ReadContext {
  warn: (span: SourceSpan, message: string) => void;
  info: (span: SourceSpan, message: string) => void;
  error: (span: { line: number; column: number }, message: string) => void;
}

/**
 * The NSGs and rules a document holds, into `g`. False when it is none of the shapes read (an API
 * error response is told here).
 */
function gatherDocument(src: Source, v: Json, path: Path, g: Gathered, ctx: ReadContext, depth = 0): boolean {
  if (Array.isArray(v)) {
    v.forEach((x, k) => gatherItem(src, x, [...path, k], g, ctx));
    return true;
  }
  if (!isObj(v)) return false;
  if (effectiveRules(v, path, src, ctx)) return true;
  if (isObj(v.error)) {
    const e = v.error;
    ctx.error(src.spanAt([...path, "error"]), `the document is an API error response${typeof e.code === "string" || typeof e.code === "number" ? ` (${e.code})` : ""}${typeof e.message === "string" ? `: ${e.message}` : ""}, not network security groups`);
    return true;
  }
  if ((Array.isArray(v.resources) || isObj(v.resources)) && !isNsg(v)) {
    gatherTemplate(src, v, path, g, ctx);
    return true;
  }
  if (Array.isArray(v.value)) {
    v.value.forEach((x, k) => gatherItem(src, x, [...path, "value", k], g, ctx));
    return true;
  }
  if (isNsg(v) || isRule(v)) {
    gatherItem(src, v, path, g, ctx);
    return true;
  }
  // an SDK's wrapper
  if (depth === 0 && v.data !== undefined && typeof v.data === "object") return gatherDocument(src, v.data, [...path, "data"], g, ctx, depth + 1);
  return false;
}

function gatherItem(src: Source, x: Json, path: Path, g: Gathered, ctx: ReadContext, template?: Template): void {
  if (!isObj(x)) return;
  if (effectiveRules(x, path, src, ctx)) return;
  // a nested deployment (what `az bicep build` makes of each module): its template's resources
  if (typeOf(x) === "microsoft.resources/deployments" && isObj(x.properties) && isObj(x.properties.template)) {
    gatherTemplate(src, x.properties.template, [...path, "properties", "template"], g, ctx);
    return;
  }
  if (isNsg(x)) g.nsgs.push(readNsg(src, x, path, g, ctx, template));
  else if (isRule(x)) {
    const rule = readRule(src, x, path, ctx, /(^|\/)defaultsecurityrules$/.test(typeOf(x)) || /\/defaultSecurityRules\//i.test(typeof x.id === "string" ? x.id : ""), template);
    if (!rule) return;
    const id = typeof x.id === "string" ? x.id : "";
    const parent = /^(.*\/networkSecurityGroups\/([^/]+))\/(?:default)?securityRules\//i.exec(id);
    // a template's child resource is named `NSG/RULE`
    // (a name computed by an expression names its NSG in a way not evaluated here)
    const named = template && typeof x.name === "string" && !isExpression(x.name) ? /^([^/]+)\/[^/]+$/.exec(x.name) : null;
    g.loose.push({ rule, ...(parent ? { parentKey: parent[1]!.toLowerCase(), parentName: parent[2]! } : named ? { parentName: named[1]! } : {}), ...(template ? { inTemplate: true } : {}) });
  } else g.others++;
}

/**
 * A NIC's or subnet's effective rules (`az network nic list-effective-nsg`): the security rules of
 * every NSG that applies, merged, in another shape - told as not read (an error) rather than
 * taken for a document with no NSG.
 */
function effectiveRules(o: Obj, path: Path, src: Source, ctx: ReadContext): boolean {
  if (!Array.isArray(o.effectiveSecurityRules)) return false;
  ctx.error(src.spanAt([...path, "effectiveSecurityRules"]), "effective security rules (az network nic list-effective-nsg) are not read: give the network security groups themselves (az network nsg show or list, or the REST resource)");
  return true;
}

function gatherTemplate(src: Source, t: Obj, path: Path, g: Gathered, ctx: ReadContext): void {
  const template: Template = { parameters: isObj(t.parameters) ? t.parameters : {}, variables: isObj(t.variables) ? t.variables : {} };
  const resources = t.resources;
  const each: [Json, Path][] = Array.isArray(resources) ? resources.map((r, k) => [r, [...path, "resources", k]]) : isObj(resources) ? Object.entries(resources).map(([k, r]) => [r, [...path, "resources", k]]) : [];
  for (const [r, at] of each) gatherItem(src, r, at, g, ctx, template);
}

/**
 * A rule's fields with each `[variables('v')]` whose variable is a plain value (a string, a number,
 * a list of them) replaced by that value - a template's variables are fixed, unlike its
 * parameters, whose defaults a deployment may override (those stay unknown).
 */
function withVariables(f: Obj, template: Template | undefined): Obj {
  if (!template || Object.keys(template.variables).length === 0) return f;
  const plain = (v: Json | undefined): v is string | number => (typeof v === "string" && !isExpression(v)) || typeof v === "number";
  /** `x`'s value; a list only where a list is taken (`lists`): a list in a one-value field stays the expression. */
  const value = (x: Json, lists: boolean): Json => {
    const m = typeof x === "string" ? /^\[\s*variables\s*\(\s*'([^']*)'\s*\)\s*\]$/i.exec(x.trim()) : null;
    if (!m) return x;
    const v = template.variables[m[1]!];
    return plain(v) || (lists && Array.isArray(v) && v.every(plain)) ? v! : x;
  };
  const out: Obj = {};
  // (a list's item that is a list variable gives its items; the plural fields take a list)
  for (const [k, v] of Object.entries(f)) out[k] = Array.isArray(v) ? v.flatMap((x) => value(x, true)) : value(v, /(Ranges|Prefixes)$/.test(k));
  return out;
}

/** A template expression naming something: the parameter's default or the variable's value when it is a plain string. */
function resolveName(expr: string, template: Template | undefined): string | undefined {
  const m = /^\[\s*(parameters|variables)\s*\(\s*'([^']*)'\s*\)\s*\]$/i.exec(expr.trim());
  if (!m || !template) return undefined;
  if (m[1]!.toLowerCase() === "parameters") {
    const p = template.parameters[m[2]!];
    return isObj(p) && typeof p.defaultValue === "string" && p.defaultValue !== "" && !isExpression(p.defaultValue) ? p.defaultValue : undefined;
  }
  const v = template.variables[m[2]!];
  return typeof v === "string" && v !== "" && !isExpression(v) ? v : undefined;
}

function readNsg(src: Source, o: Obj, path: Path, g: Gathered, ctx: ReadContext, template?: Template): Nsg {
  const [f, fp] = nsgFields(o);
  const at = [...path, ...fp];
  const id = typeof o.id === "string" ? o.id : "";
  const span = src.spanAt(typeof o.name === "string" ? [...path, "name"] : path);
  let name = typeof o.name === "string" && o.name !== "" ? o.name : (/\/networkSecurityGroups\/([^/]+)/i.exec(id)?.[1] ?? `#${g.nsgs.length + 1}`);
  if (isExpression(name)) {
    const resolved = resolveName(name, template);
    ctx.info(span, resolved !== undefined ? `the NSG's name ${name} is a template expression: it is called ${resolved} (the default the template gives it)` : `the NSG's name ${name} is a template expression`);
    name = resolved ?? name;
  }
  const rg = /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? (typeof o.resourceGroup === "string" ? o.resourceGroup : undefined);
  const rules: SecurityRule[] = [];
  const defaults: SecurityRule[] = [];
  const list = (field: "securityRules" | "defaultSecurityRules", into: SecurityRule[]) => {
    const v = f[field];
    if (!Array.isArray(v)) return;
    v.forEach((r, k) => {
      if (!isObj(r)) return;
      const rule = readRule(src, r, [...at, field, k], ctx, field === "defaultSecurityRules", template);
      if (rule) into.push(rule);
    });
  };
  list("securityRules", rules);
  list("defaultSecurityRules", defaults);
  // a template may compute its rules: `"securityRules": "[variables('rules')]"` or a `copy` loop
  const copy = Array.isArray(f.copy) ? f.copy.findIndex((c) => isObj(c) && typeof c.name === "string" && c.name.toLowerCase() === "securityrules") : -1;
  if ((typeof f.securityRules === "string" && isExpression(f.securityRules)) || copy >= 0) {
    const where = copy >= 0 ? [...at, "copy", copy] : [...at, "securityRules"];
    const text = copy >= 0 ? "the copy loop securityRules" : String(f.securityRules).trim();
    ctx.warn(src.spanAt(where), `the NSG's security rules are computed by ${text}: they are not in the file (rules whose match and access are unknown conditions)`);
    rules.push(computedRules(text, src.spanAt(where)));
  }
  // a template's security rules written as child resources of the NSG
  if (Array.isArray(o.resources)) {
    o.resources.forEach((r, k) => {
      if (!isObj(r) || !isRule(r)) return;
      const rule = readRule(src, r, [...path, "resources", k], ctx, false, template);
      if (rule) rules.push(rule);
    });
  }
  const rulesAt = "securityRules" in f ? [...at, "securityRules"] : undefined;
  return {
    name,
    key: id !== "" ? id.toLowerCase() : `name:${name.toLowerCase()}`,
    ...(rg !== undefined ? { resourceGroup: rg } : {}),
    rules,
    defaults,
    span,
    rulesSpan: rulesAt ? src.spanAt(rulesAt, true) : span,
  };
}

/**
 * Rules a template computes (an expression or a copy loop): one rule standing for any of them
 * (the mapper makes its match and its access unknown conditions, and tries it first).
 */
function computedRules(text: string, span: SourceSpan): SecurityRule {
  const unknown: Expression = { expression: text, span };
  const any: Placed[] = [{ text: "*", span }];
  return {
    name: text,
    priority: unknown,
    direction: unknown,
    access: unknown,
    protocol: { text: "*", span },
    sourcePorts: any,
    destinationPorts: any,
    sourceAddresses: any,
    destinationAddresses: any,
    sourceAsgs: [],
    destinationAsgs: [],
    isDefault: false,
    computed: true,
    span,
  };
}

/** Numbers as their decimal text; anything else (told by the schema) left out. */
const asText = (v: Json | undefined): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

/**
 * A security rule (REST: fields under `properties`; az CLI: flattened), or undefined when the schema
 * found a fault in it or a field Azure requires is missing (told).
 */
function readRule(src: Source, r: Obj, path: Path, ctx: ReadContext, isDefault: boolean, template?: Template): SecurityRule | undefined {
  if (isBad(src, path)) return undefined;
  const nested = isObj(r.properties);
  const f = withVariables(nested ? (r.properties as Obj) : r, template);
  const fp = nested ? [...path, "properties"] : path;
  const name = typeof r.name === "string" && r.name !== "" ? r.name.replace(/^.*\//, "") : `#${Number(path[path.length - 1] ?? 0) + 1}`;
  const span = src.spanAt(typeof r.name === "string" ? [...path, "name"] : path);
  const missing = ["priority", "direction", "access", "protocol"].filter((k) => f[k] === undefined || f[k] === null);
  if (missing.length > 0) {
    ctx.error(span, `security rule ${name}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing (Azure requires ${missing.length === 1 ? "it" : "them"}): the rule is left out`);
    return undefined;
  }
  const expr = (k: string): Expression | undefined => {
    const v = f[k];
    return typeof v === "string" && isExpression(v) ? { expression: v.trim(), span: src.spanAt([...fp, k]) } : undefined;
  };
  const word = <T extends string>(k: string, words: readonly T[]): T | Expression | undefined => expr(k) ?? words.find((w) => w.toLowerCase() === String(f[k]).toLowerCase());
  const pri = f.priority;
  const priority = expr("priority") ?? (typeof pri === "number" ? pri : typeof pri === "string" && /^[0-9]+$/.test(pri) ? Number(pri) : undefined);
  const direction = word("direction", ["Inbound", "Outbound"] as const);
  const access = word("access", ["Allow", "Deny"] as const);
  const unread = [priority === undefined ? "priority" : "", direction === undefined ? "direction" : "", access === undefined ? "access" : ""].filter(Boolean);
  if (priority === undefined || direction === undefined || access === undefined) {
    ctx.error(span, `security rule ${name}: ${unread.join(", ")} not understood: the rule is left out`);
    return undefined;
  }
  /** The singular field and the plural list (or one expression for the whole list), unioned. */
  const both = (one: string, many: string): Placed[] => {
    const out: Placed[] = [];
    const single = asText(f[one]);
    if (single !== undefined && single !== "") out.push({ text: single.trim(), span: src.spanAt([...fp, one]) });
    const list = f[many];
    if (typeof list === "string" && list !== "") out.push({ text: list.trim(), span: src.spanAt([...fp, many]) });
    if (Array.isArray(list)) {
      list.forEach((x, k) => {
        const t = asText(x);
        if (t !== undefined && t !== "") out.push({ text: t.trim(), span: src.spanAt([...fp, many, k]) });
      });
    }
    return out;
  };
  const asgs = (field: string): Placed[] => {
    const v = f[field];
    if (typeof v === "string" && v !== "") return [{ text: v, span: src.spanAt([...fp, field]) }];
    if (!Array.isArray(v)) return [];
    const out: Placed[] = [];
    v.forEach((a, k) => {
      if (!isObj(a)) return;
      const id = typeof a.id === "string" ? a.id : "";
      const named = /applicationSecurityGroups\/([^/?#'"\]]+)/i.exec(id)?.[1];
      const text = isExpression(id) ? id : (named ?? (typeof a.name === "string" ? a.name : id));
      if (text !== "") out.push({ text, span: src.spanAt([...fp, field, k, typeof a.id === "string" ? "id" : "name"]) });
    });
    return out;
  };
  return {
    name,
    priority,
    direction,
    access,
    protocol: { text: asText(f.protocol) ?? "*", span: src.spanAt([...fp, "protocol"]) },
    sourcePorts: both("sourcePortRange", "sourcePortRanges"),
    destinationPorts: both("destinationPortRange", "destinationPortRanges"),
    sourceAddresses: both("sourceAddressPrefix", "sourceAddressPrefixes"),
    destinationAddresses: both("destinationAddressPrefix", "destinationAddressPrefixes"),
    sourceAsgs: asgs("sourceApplicationSecurityGroups"),
    destinationAsgs: asgs("destinationApplicationSecurityGroups"),
    isDefault,
    span,
  };
}

/**
 * The NSGs of a document: each NSG found, then the rules given on their own added to the NSG they
 * name (by id, or by name in a template), or gathered into one NSG per parent they name.
 */
function assemble(g: Gathered, ctx: ReadContext): Nsg[] {
  const nsgs = [...g.nsgs];
  const seen = new Map<string, Nsg>();
  for (const n of nsgs) {
    if (seen.has(n.key)) ctx.warn(n.span, `network security group ${n.name} is listed twice: both are read`);
    seen.set(n.key, n);
  }
  for (const { rule, parentKey, parentName, inTemplate } of g.loose) {
    let nsg = (parentKey !== undefined ? seen.get(parentKey) : undefined) ?? nsgs.find((n) => parentName !== undefined && n.name.toLowerCase() === parentName.toLowerCase());
    // a template's rule resource whose NSG is an expression: the template's one NSG, when it has one
    if (!nsg && inTemplate && parentName === undefined && g.nsgs.length === 1) {
      nsg = g.nsgs[0]!;
      ctx.info(rule.span, `security rule ${rule.name}'s NSG is named by an expression: it is read as a rule of the template's one network security group, ${nsg.name}`);
    }
    if (!nsg) {
      const name = parentName ?? "security-rules";
      const key = parentKey ?? `name:${name.toLowerCase()}`;
      nsg = seen.get(key);
      if (!nsg) {
        nsg = { name, key, rules: [], defaults: [], span: rule.span, rulesSpan: rule.span };
        nsgs.push(nsg);
        seen.set(key, nsg);
        ctx.info(rule.span, `security rules given on their own are read as network security group ${name}${parentName === undefined ? " (their NSG is not named)" : ""}, with Azure's default rules`);
      }
    }
    (rule.isDefault ? nsg.defaults : nsg.rules).push(rule);
  }
  return nsgs;
}

/**
 * A VCR cassette's successful responses, replayed in order: an NSG replaces what earlier responses
 * said of it, a rule (the answer to its PUT or GET) replaces or joins its NSG's rule of that name, a
 * DELETE removes what its URI names. Error responses are left out.
 */
function replay(interactions: Json[], outer: Source, ctx: ReadContext, file: string, offsetAt: (path: Path) => number, text: string, placeOf: (offset: number) => SourceSpan): Nsg[] {
  const state = new Map<string, Nsg>();
  let read = 0;
  interactions.forEach((it, k) => {
    if (!isObj(it) || !isObj(it.response)) return;
    const at: Path = ["interactions", k];
    const req = isObj(it.request) ? it.request : {};
    const res = it.response;
    const status = isObj(res.status) ? res.status.code : res.status;
    if (typeof status === "number" && (status < 200 || status > 299)) return;
    const method = typeof req.method === "string" ? req.method.toUpperCase() : "GET";
    const uri = typeof req.uri === "string" ? req.uri.replace(/[?#].*$/, "") : "";
    if (method === "DELETE") {
      const m = /(.*\/networkSecurityGroups\/[^/]+)(?:\/securityRules\/([^/]+))?$/i.exec(uri.replace(/^https?:\/\/[^/]+/i, ""));
      if (!m) return;
      const key = m[1]!.toLowerCase();
      if (m[2] === undefined) state.delete(key);
      else {
        const nsg = state.get(key);
        if (nsg) nsg.rules = nsg.rules.filter((r) => r.name.toLowerCase() !== m[2]!.toLowerCase());
      }
      return;
    }
    const body = res.body;
    if (!isObj(body)) return;
    const g: Gathered = { nsgs: [], loose: [], others: 0 };
    if (body.data !== undefined && body.data !== null && typeof body.data === "object") {
      gatherDocument(outer, body.data, [...at, "response", "body", "data"], g, ctx);
    } else if (typeof body.string === "string" && /^\s*[[{]/.test(body.string)) {
      const inner = innerSource(body.string, [...at, "response", "body", "string"], ctx, file, offsetAt, text, placeOf);
      if (!inner) return;
      gatherDocument(inner.src, inner.data, [], g, ctx);
    } else return;
    if (g.nsgs.length > 0 || g.loose.length > 0) read++;
    for (const n of g.nsgs) state.set(n.key, n);
    for (const { rule, parentKey, parentName } of g.loose) {
      const key = parentKey ?? `name:${(parentName ?? "security-rules").toLowerCase()}`;
      let nsg = state.get(key);
      if (!nsg) state.set(key, (nsg = { name: parentName ?? "security-rules", key, rules: [], defaults: [], span: rule.span, rulesSpan: rule.span }));
      const list = rule.isDefault ? nsg.defaults : nsg.rules;
      const same = list.findIndex((r) => r.name.toLowerCase() === rule.name.toLowerCase());
      // (a copy: an earlier response's NSG object is not changed behind its back)
      const next = same >= 0 ? list.map((r, i) => (i === same ? rule : r)) : [...list, rule];
      state.set(key, { ...nsg, ...(rule.isDefault ? { defaults: next } : { rules: next }) });
    }
  });
  if (read > 1) ctx.info(outer.spanAt(["interactions"], true), `the recording's ${read} responses are replayed in order: each network security group is read as the last response shows it`);
  return [...state.values()];
}

/**
 * The JSON text of a recorded `"string"` body as a document of its own, placed in the file: each
 * character of the decoded text is mapped back to its place inside the string literal.
 */
function innerSource(decoded: string, path: Path, ctx: ReadContext, file: string, offsetAt: (path: Path) => number, text: string, placeOf: (offset: number) => SourceSpan): { src: Source; data: Json } | undefined {
  // the string literal's opening quote in the file
  const start = offsetAt(path);
  const map: number[] = [];
  let i = start + 1;
  while (i < text.length && text[i] !== '"') {
    map.push(i);
    i += text[i] === "\\" ? (text[i + 1] === "u" ? 6 : 2) : 1;
  }
  map.push(i);
  if (map.length !== decoded.length + 1) return undefined; // not where it was expected: nothing to place
  const where = pathText(path);
  const innerAt = (line: number, column: number) => placeOf(map[Math.min(offsetOfPlace(decoded, line, column), decoded.length)]!);
  const parsed = parseJsonText(decoded, MAX_JSON_DEPTH);
  if (!parsed.ok) {
    ctx.error(innerAt(parsed.line, parsed.column), `${where}: ${parsed.message}`);
    return undefined;
  }
  const pl = jsonPlaces(decoded);
  const bad: string[] = [];
  for (const issue of schemaIssues(decoded, file, parsed.data, "azure-nsg")) {
    ctx.error(innerAt(issue.line, issue.column), `${where} (JSON text) ${issue.path === "" ? "the document" : issue.path}: ${issue.expected}`);
    bad.push(issue.path);
  }
  const src: Source = {
    spanAt: (p, atKey = false) => {
      let offset = atKey ? pl.key.get(pathKey(p)) : undefined;
      for (let n = p.length; offset === undefined && n >= 0; n--) offset = pl.value.get(pathKey(p.slice(0, n)));
      return placeOf(map[Math.min(offset ?? 0, decoded.length)]!);
    },
    bad,
  };
  return { src, data: parsed.data };
}

/** The offset of a 1-based line and column in `text`. */
function offsetOfPlace(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(offset + column - 1, text.length);
}

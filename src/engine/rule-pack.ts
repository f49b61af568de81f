/**
 * Rule packs and the sensitive-service catalog: YAML data under rules/, validated against the JSON
 * Schemas in rules/schema/ with ajv, then checked for what a schema cannot express (duplicate ids,
 * port ranges). Every error points at the offending YAML node: `file:line:column: path: expected`.
 *
 * A rule here is the `meta` half of an ESLint-style rule (id, severity, docs, options); the `check`
 * it names is the code the engine runs.
 */
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { LineCounter, Node as YamlNode } from "yaml";
import { guessFamily, parseIP } from "../model/address.js";
import type { Location, Severity } from "../model/finding.js";
import type { PipelineKind } from "../model/types.js";
import { nameTable } from "../model/name-table.js";

// ---------------------------------------------------------------------------------------------
// Public types

/** The built-in checks a rule can name. */
export type CheckName =
  | "exposure"
  | "default-policy"
  | "shadowed-rule"
  | "anomaly"
  | "any-to-any-accept"
  | "icmp-fully-open"
  | "outbound-smtp-open"
  | "broad-source-range"
  | "nat-port-forward-exposure"
  | "ipv6-parity"
  | "reachability"
  | "load-errors";
export const CHECK_NAMES: readonly CheckName[] = [
  "exposure",
  "default-policy",
  "shadowed-rule",
  "anomaly",
  "any-to-any-accept",
  "icmp-fully-open",
  "outbound-smtp-open",
  "broad-source-range",
  "nat-port-forward-exposure",
  "ipv6-parity",
  "reachability",
  "load-errors",
];

/** Ruff-style documentation sections ("What it does", "Why is this bad?", "Example", "How to fix"). */
export interface RuleDocs {
  what: string;
  why: string;
  example: string;
  fix: string;
}

export interface ExposureParams {
  /** Share (0..1) of public unicast source space above which the sources count as "any". */
  threshold: number;
  directions: PipelineKind[];
}
export interface DefaultPolicyParams {
  directions: PipelineKind[];
}
export type ShadowedRuleParams = Record<string, never>;
/** The per-chain anomaly classes the `anomaly` check reports, one per rule. */
export type AnomalyKind =
  | "redundant"
  | "correlated"
  | "generalization"
  | "unreachable-chain"
  | "missing-jump-target"
  | "rule-after-catch-all";
export const ANOMALY_KINDS: readonly AnomalyKind[] = [
  "redundant",
  "correlated",
  "generalization",
  "unreachable-chain",
  "missing-jump-target",
  "rule-after-catch-all",
];
export interface AnomalyParams {
  anomaly: AnomalyKind;
}
export interface BroadSourceParams {
  /** Smallest share (0..1) of public unicast source space that counts as broad. */
  minimum: number;
  /** Share at or above which exposed-service reports instead (its threshold). */
  threshold: number;
}
/** Checks with a threshold for "open to any source". */
export interface ThresholdParams {
  threshold: number;
}

/**
 * A user-written "X reachable from Y on path Z" rule. Addresses stay text (validated by the loader)
 * so that a pack stays plain JSON data.
 */
export interface ReachabilityParams {
  /** The finding's message (the rule's summary when the pack gives none). */
  message: string;
  /** Catalog service ids (the built-in catalog or .fwlint.yaml `services:`). */
  services: string[];
  /** A protocol (with `ports`) besides or instead of services: "tcp", "udp", "sctp" or "any". */
  protocol?: ProtocolName;
  /** Inclusive destination port ranges for `protocol`; undefined: every port. */
  ports?: [number, number][];
  /** Destination CIDR blocks (as the packets arrive, before any DNAT); undefined: any destination. */
  destinations?: string[];
  /** "any": the stranger region exposure uses; else source CIDR blocks. */
  sources: "any" | string[];
  /** Arrival interfaces (outbound: leaving interfaces); `eth+` is a prefix. Undefined: any. */
  interfaces?: string[];
  directions: PipelineKind[];
  /** For sources "any": share of public sources above which it counts; undefined: the exposure threshold. */
  minCoverage?: number;
}

/** Params per check, with the defaults already applied. */
export interface CheckParams {
  exposure: ExposureParams;
  "default-policy": DefaultPolicyParams;
  "shadowed-rule": ShadowedRuleParams;
  anomaly: AnomalyParams;
  "any-to-any-accept": Record<string, never>;
  "icmp-fully-open": Record<string, never>;
  "outbound-smtp-open": Record<string, never>;
  "broad-source-range": BroadSourceParams;
  "nat-port-forward-exposure": ThresholdParams;
  "ipv6-parity": ThresholdParams;
  reachability: ReachabilityParams;
  "load-errors": Record<string, never>;
}

interface RuleDefinitionOf<C extends CheckName> {
  id: string;
  name: string;
  /** For `exposure`, the fallback when the exposed port is in no catalog entry. */
  severity: Severity;
  check: C;
  summary: string;
  docs: RuleDocs;
  params: CheckParams[C];
  enabled: boolean;
  /** Where the rule entry starts in its pack file. */
  source: Location;
}

/** One rule of a pack; `params` is typed by `check`. */
export type RuleDefinition = { [C in CheckName]: RuleDefinitionOf<C> }[CheckName];

export interface RulePack {
  file: string;
  rules: RuleDefinition[];
}

export type ProtocolName = "tcp" | "udp" | "sctp" | "any";
export const PROTOCOL_NUMBERS: Readonly<Record<Exclude<ProtocolName, "any">, number>> = {
  tcp: 6,
  udp: 17,
  sctp: 132,
};

export interface Service {
  id: string;
  name: string;
  /** IP protocol numbers (6 tcp, 17 udp, 132 sctp), or "any" for every protocol. */
  protocols: number[] | "any";
  /** The protocols as written in the catalog, for messages ("SMTP (tcp/25)"). */
  protocolNames: ProtocolName[];
  /** Inclusive destination port ranges, in catalog order. */
  ports: [number, number][];
  severity: Severity;
  source: Location;
}

export interface ServiceCatalog {
  file: string;
  services: Service[];
  /** By id. */
  byId: ReadonlyMap<string, Service>;
}

/** One problem in a rule pack or catalog file. */
export interface RulePackIssue extends Location {
  /** Field path, e.g. `rules[2].severity`; empty for the whole document. */
  path: string;
  /** What was expected, e.g. `must be one of critical, high, medium, low, info`. */
  expected: string;
}

/**
 * A rule pack or catalog that cannot be used. `message` has one line per issue:
 * `rules/x.yaml:12:5: rules[2].severity: must be one of critical, high, medium, low, info`.
 */
export class RulePackError extends Error {
  readonly issues: RulePackIssue[];
  constructor(issues: RulePackIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "RulePackError";
    this.issues = issues;
  }
}

function formatIssue(i: RulePackIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ""}${i.expected}`;
}

// ---------------------------------------------------------------------------------------------
// Locating the package

let packageRootCache: string | undefined;

/** The fwlint package root: the nearest ancestor of this module with a package.json named "fwlint". */
export function packageRoot(): string {
  if (packageRootCache !== undefined) return packageRootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        const name = (JSON.parse(readFileSync(pj, "utf8")) as { name?: unknown }).name;
        if (name === "fwlint") return (packageRootCache = dir);
      } catch {
        // not ours (or unreadable): keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`fwlint: cannot find the fwlint package root above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

export function builtinRulesFile(): string {
  return join(packageRoot(), "rules", "builtin.yaml");
}
export function builtinCatalogFile(): string {
  return join(packageRoot(), "rules", "services.yaml");
}

// ---------------------------------------------------------------------------------------------
// yaml and ajv: loaded on first use only
//
// The CLI never needs them for the built-in pack and catalog (the bundle carries them precompiled,
// see loadBuiltinRules), and together they cost ~0.3 s of start-up. Reading a rule pack stays
// synchronous, so they are loaded with require(): from node_modules when running from sources, and
// from the bundle's own CommonJS copy (dist/vendor/, built by src/build/build.mjs) when bundled.

/** Set by the bundler: the bundled yaml + ajv (CommonJS), relative to the package root. */
declare const __FWLINT_VENDOR__: string | undefined;

interface YamlAjv {
  yaml: Pick<typeof import("yaml"), "LineCounter" | "isMap" | "isPair" | "isScalar" | "isSeq" | "parseDocument">;
  Ajv: typeof Ajv;
}
let yamlAjv: YamlAjv | undefined;

export function yamlLibs(): YamlAjv {
  if (yamlAjv === undefined) {
    const load = createRequire(import.meta.url);
    if (typeof __FWLINT_VENDOR__ === "string") {
      yamlAjv = load(join(packageRoot(), __FWLINT_VENDOR__)) as YamlAjv;
    } else {
      yamlAjv = { yaml: load("yaml") as YamlAjv["yaml"], Ajv: (load("ajv") as { Ajv: typeof Ajv }).Ajv };
    }
  }
  return yamlAjv;
}

// ---------------------------------------------------------------------------------------------
// Schemas: compiled once per process, on first use

type SchemaName = "rule-pack" | "services";
let ajv: Ajv | undefined;
const validators = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  let v = validators.get(name);
  if (v === undefined) {
    // verbose: errors carry their parentSchema, used to list the allowed fields.
    ajv ??= new (yamlLibs().Ajv)({ allErrors: true, allowUnionTypes: true, strict: true, verbose: true });
    const file = join(packageRoot(), "rules", "schema", `${name}.schema.json`);
    v = ajv.compile(JSON.parse(readFileSync(file, "utf8")) as object);
    validators.set(name, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// YAML with positions

export type Segment = string | number;

export interface ParsedYaml {
  file: string;
  data: unknown;
  root: YamlNode | null;
  lines: LineCounter;
}

export function parseYamlFile(file: string, emptyAs?: unknown): ParsedYaml {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new RulePackError([
      { file, line: 1, column: 1, path: "", expected: `cannot read file (${(e as Error).message})` },
    ]);
  }
  const { LineCounter, parseDocument } = yamlLibs().yaml;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RulePackError(
      doc.errors.map((err) => {
        const { line, col } = lines.linePos(err.pos[0]);
        return { file, line, column: col, path: "", expected: `YAML syntax error: ${err.message}` };
      }),
    );
  }
  const root = (doc.contents ?? null) as YamlNode | null;
  const data = (doc.toJS({ maxAliasCount: 1000 }) as unknown) ?? emptyAs ?? null;
  return { file, data, root, lines };
}

/** The node at `path`, or the deepest existing node on the way; `key` is the map key node of the last step. */
export function nodeAt(root: YamlNode | null, path: Segment[]): { node: YamlNode | null; key?: YamlNode; complete: boolean } {
  const { isMap, isPair, isScalar, isSeq } = yamlLibs().yaml;
  let node = root;
  let key: YamlNode | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node, key, complete: false };
      key = pair.key as YamlNode;
      node = (pair.value ?? null) as YamlNode | null;
      if (node === null) return { node: key, key, complete: true };
    } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
      key = undefined;
      node = node.items[seg] as YamlNode;
    } else {
      return { node, key, complete: false };
    }
  }
  return { node, key, complete: true };
}

export function position(y: ParsedYaml, node: YamlNode | null | undefined): { line: number; column: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = y.lines.linePos(offset);
  return { line, column: col };
}

export function formatPath(path: Segment[]): string {
  let s = "";
  for (const seg of path) s += typeof seg === "number" ? `[${seg}]` : s === "" ? seg : `.${seg}`;
  return s;
}

export function issueAt(y: ParsedYaml, path: Segment[], expected: string, pointAtKey = false): RulePackIssue {
  const found = nodeAt(y.root, path);
  const node = pointAtKey && found.complete && found.key ? found.key : found.node;
  return { file: y.file, ...position(y, node), path: formatPath(path), expected };
}

// ---------------------------------------------------------------------------------------------
// ajv errors -> issues

const PATTERN_HINTS: Readonly<Record<string, string>> = nameTable({
  "^[a-z][a-z0-9]*(-[a-z0-9]+)*$": "must be kebab-case (lowercase letters and digits separated by single hyphens, e.g. exposed-service)",
  "^[0-9]+(-[0-9]+)?$": 'must be a port "N" or a port range "N-M"',
  "^[^\\n]*$": "must be a single line",
  "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$": "must be an address or CIDR block (10.0.0.0/8, 2001:db8::/32)",
  "^[^\\s/]{1,15}$": "must be an interface name (1 to 15 characters, no spaces or /), e.g. eth0 or ppp+",
  "^(-1|tcp|udp|icmp|icmpv6|all|[0-9]{1,3})$": "must be tcp, udp, icmp, icmpv6, -1 (every protocol) or a protocol number",
  "^(tcp|udp|icmp|esp|ah|sctp|ipip|all|[0-9]{1,3})$": "must be tcp, udp, icmp, esp, ah, sctp, ipip, all or a protocol number",
  "^([0-9]{1,5}|\\[.*\\])$": "must be a priority number (or an ARM template expression)",
  "^([Ii][Nn][Bb][Oo][Uu][Nn][Dd]|[Oo][Uu][Tt][Bb][Oo][Uu][Nn][Dd]|\\[.*\\])$": "must be Inbound or Outbound",
  "^([Aa][Ll][Ll][Oo][Ww]|[Dd][Ee][Nn][Yy]|\\[.*\\])$": "must be Allow or Deny",
  "^(\\*|[Tt][Cc][Pp]|[Uu][Dd][Pp]|[Ii][Cc][Mm][Pp]|[Ee][Ss][Pp]|[Aa][Hh]|\\[.*\\])$": "must be *, Tcp, Udp, Icmp, Esp or Ah",
  "^(\\*|[0-9]{1,5}(-[0-9]{1,5})?|\\[.*\\])$": "must be *, a port \"N\" or a port range \"N-M\"",
  "^[^\\s,;]*$": "must be one address prefix (an address, a CIDR block, * or a service tag) without spaces or commas: several go in the plural field",
  "^\\[.*\\]$": "must be a list (or an ARM template expression)",
});

const TYPE_NAMES: Readonly<Record<string, string>> = nameTable({
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean (true or false)",
  object: "a mapping (key: value)",
  array: "a list",
  null: "null",
});

export function decodePointer(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function describeError(e: ErrorObject, oneOfHints: Record<string, string>): { extra?: string; expected: string; atKey?: boolean } | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "if":
      return null; // the failing `then` branch reports the real problem
    case "oneOf":
      return { expected: oneOfHints[e.instancePath.split("/").pop() ?? ""] ?? "does not match any allowed form" };
    case "enum":
      return { expected: `must be one of ${(p.allowedValues as unknown[]).map(String).join(", ")}` };
    case "const":
      return { expected: `must be ${String(p.allowedValue)}` };
    case "type": {
      const types = String(p.type).split(",");
      return { expected: `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(" or ")}` };
    }
    case "required":
      return { extra: String(p.missingProperty), expected: "required field is missing" };
    case "additionalProperties": {
      // verbose ajv errors carry their parentSchema: list the fields that are allowed there.
      const siblings = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const allowed = siblings.length > 0 ? `; expected one of ${siblings.join(", ")}` : "; no fields are allowed here";
      return { extra: String(p.additionalProperty), expected: `unknown field${allowed}`, atKey: true };
    }
    case "pattern":
      return { expected: PATTERN_HINTS[String(p.pattern)] ?? `must match ${String(p.pattern)}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { expected: `must be ${String(p.comparison)} ${String(p.limit)}` };
    case "minItems":
      return { expected: `must have at least ${String(p.limit)} item${p.limit === 1 ? "" : "s"}` };
    case "minLength":
      return { expected: p.limit === 1 ? "must not be empty" : `must be at least ${String(p.limit)} characters` };
    case "uniqueItems":
      return { expected: `must not repeat an item (items ${String(p.j)} and ${String(p.i)} are equal)` };
    default:
      return { expected: e.message ?? `fails ${e.keyword}` };
  }
}

/** The value at a path of plain data. */
export function getAt(data: unknown, path: Segment[]): unknown {
  let v = data;
  for (const seg of path) v = v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[seg];
  return v;
}

/**
 * Validates parsed YAML with a compiled schema and throws a RulePackError with one positioned issue
 * per field. Errors under a oneOf are the alternatives' complaints: the oneOf itself is reported at
 * its path (with `oneOfHints[last path segment]` as the message), unless it is a list whose items
 * failed (a port above 65535), whose own errors say more.
 */
export function validateWithSchema(y: ParsedYaml, v: ValidateFunction, oneOfHints: Record<string, string> = {}): void {
  if (v(y.data)) return;
  const errors = v.errors ?? [];
  const listPaths = new Set(
    errors
      .filter((e) => e.keyword === "oneOf" && Array.isArray(getAt(y.data, decodePointer(e.instancePath))))
      .map((e) => e.instancePath)
      .filter((p) => errors.some((x) => x.instancePath.startsWith(`${p}/`))),
  );
  const oneOfPaths = errors.filter((e) => e.keyword === "oneOf" && !listPaths.has(e.instancePath)).map((e) => e.instancePath);
  const seen = new Set<string>();
  const issues: RulePackIssue[] = [];
  for (const e of errors) {
    if (listPaths.has(e.instancePath)) continue;
    if (e.keyword !== "oneOf" && oneOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
    const d = describeError(e, oneOfHints);
    if (d === null) continue;
    const path = decodePointer(e.instancePath);
    if (d.extra !== undefined) path.push(d.extra);
    const key = formatPath(path);
    if (seen.has(key)) continue; // one message per field: the first is the most specific
    seen.add(key);
    // A missing field has no node: point at the mapping that lacks it.
    const issue =
      e.keyword === "required" ? { ...issueAt(y, path.slice(0, -1), d.expected), path: key } : issueAt(y, path, d.expected, d.atKey === true);
    issues.push(issue);
  }
  if (issues.length === 0) issues.push({ file: y.file, line: 1, column: 1, path: "", expected: "does not match the schema" });
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new RulePackError(issues);
}

function validate(y: ParsedYaml, schema: SchemaName): void {
  validateWithSchema(y, validator(schema));
}

function sourceOf(y: ParsedYaml, path: Segment[]): Location {
  const { line, column } = position(y, nodeAt(y.root, path).node);
  return { file: y.file, line, column };
}

// ---------------------------------------------------------------------------------------------
// Rule packs

interface RawRule {
  id: string;
  name: string;
  severity: Severity;
  check: CheckName;
  summary: string;
  docs: RuleDocs;
  params?: Record<string, unknown>;
  enabled?: boolean;
}

const DEFAULT_DIRECTIONS: readonly PipelineKind[] = ["inbound", "forward"];

function withDefaults(r: RawRule, source: Location): RuleDefinition {
  const base = {
    id: r.id,
    name: r.name,
    severity: r.severity,
    summary: r.summary,
    docs: { what: r.docs.what, why: r.docs.why, example: r.docs.example, fix: r.docs.fix },
    enabled: r.enabled ?? true,
    source,
  };
  const p = r.params ?? {};
  switch (r.check) {
    case "exposure":
      return {
        ...base,
        check: "exposure",
        params: {
          threshold: (p.threshold as number | undefined) ?? 0.5,
          directions: [...((p.directions as PipelineKind[] | undefined) ?? DEFAULT_DIRECTIONS)],
        },
      };
    case "default-policy":
      return {
        ...base,
        check: "default-policy",
        params: { directions: [...((p.directions as PipelineKind[] | undefined) ?? DEFAULT_DIRECTIONS)] },
      };
    case "shadowed-rule":
      return { ...base, check: "shadowed-rule", params: {} };
    case "anomaly":
      return { ...base, check: "anomaly", params: { anomaly: p.anomaly as AnomalyKind } };
    case "any-to-any-accept":
    case "icmp-fully-open":
    case "outbound-smtp-open":
    case "load-errors":
      return { ...base, check: r.check, params: {} };
    case "broad-source-range":
      return {
        ...base,
        check: "broad-source-range",
        params: { minimum: (p.minimum as number | undefined) ?? 1 / 256, threshold: (p.threshold as number | undefined) ?? 0.5 },
      };
    case "nat-port-forward-exposure":
    case "ipv6-parity":
      return { ...base, check: r.check, params: { threshold: (p.threshold as number | undefined) ?? 0.5 } };
    case "reachability":
      return { ...base, check: "reachability", params: reachabilityParams(p, r.summary) };
  }
}

interface RawReachability {
  message?: string;
  to: { services?: string[]; protocol?: ProtocolName; ports?: string | number | (string | number)[]; destinations?: string[] };
  from?: "any" | { sources?: "any" | string[]; interfaces?: string[] };
  directions?: PipelineKind[];
  minCoverage?: number;
}

function portRange(spec: string | number): [number, number] {
  const [loText, hiText = loText] = String(spec).split("-") as [string, string?];
  return [Number(loText), Number(hiText)];
}

function reachabilityParams(p: Record<string, unknown>, summary: string): ReachabilityParams {
  const r = p as unknown as RawReachability;
  const from = r.from === undefined || r.from === "any" ? {} : r.from;
  const ports = r.to.ports === undefined ? undefined : Array.isArray(r.to.ports) ? r.to.ports : [r.to.ports];
  return {
    message: r.message ?? summary,
    services: [...(r.to.services ?? [])],
    ...(r.to.protocol !== undefined ? { protocol: r.to.protocol } : {}),
    ...(ports ? { ports: ports.map(portRange) } : {}),
    ...(r.to.destinations ? { destinations: [...r.to.destinations] } : {}),
    sources: from.sources === undefined || from.sources === "any" ? "any" : [...from.sources],
    ...(from.interfaces ? { interfaces: [...from.interfaces] } : {}),
    directions: [...(r.directions ?? DEFAULT_DIRECTIONS)],
    ...(r.minCoverage !== undefined ? { minCoverage: r.minCoverage } : {}),
  };
}

/** What the schema cannot say about a reachability rule: known services, valid ports and CIDRs. */
function reachabilityIssues(y: ParsedYaml, r: RawRule, i: number): RulePackIssue[] {
  const issues: RulePackIssue[] = [];
  const at = (...rest: Segment[]) => ["rules", i, "params", ...rest];
  const raw = r.params as unknown as RawReachability;
  const to = raw.to;
  if (to.services === undefined && to.protocol === undefined) {
    issues.push({ ...issueAt(y, at("to"), "required field is missing (give services, or protocol and ports)"), path: formatPath(at("to", "services")) });
  }
  if (to.ports !== undefined && to.protocol === undefined) issues.push(issueAt(y, at("to", "ports"), "ports need a protocol (tcp, udp or sctp)"));
  if (to.ports !== undefined && to.protocol === "any") issues.push(issueAt(y, at("to", "ports"), 'protocol "any" has no ports; name tcp, udp or sctp'));
  if (to.services) {
    const catalog = loadBuiltinCatalog();
    to.services.forEach((id, j) => {
      if (!catalog.byId.has(id)) issues.push(issueAt(y, at("to", "services", j), `unknown service '${id}' (not in the catalog, rules/services.yaml)`));
    });
  }
  if (to.ports !== undefined) {
    const specs = Array.isArray(to.ports) ? to.ports : [to.ports];
    specs.forEach((spec, j) => {
      const [lo, hi] = portRange(spec);
      const where = Array.isArray(to.ports) ? at("to", "ports", j) : at("to", "ports");
      if (lo > 65535 || hi > 65535) issues.push(issueAt(y, where, `port ${lo > 65535 ? lo : hi} is above 65535`));
      else if (lo > hi) issues.push(issueAt(y, where, `port range ${lo}-${hi} is empty (low end above high end)`));
    });
  }
  const cidrs = (list: string[] | undefined, path: Segment[]) =>
    list?.forEach((spec, j) => {
      const problem = cidrProblem(spec);
      if (problem) issues.push(issueAt(y, [...path, j], problem));
    });
  cidrs(to.destinations, at("to", "destinations"));
  const from = typeof raw.from === "object" ? raw.from : undefined;
  if (from && Array.isArray(from.sources)) {
    cidrs(from.sources, at("from", "sources"));
    if (raw.minCoverage !== undefined) issues.push(issueAt(y, at("minCoverage"), 'minCoverage applies only to sources "any"'));
  }
  return issues;
}

/** Why `spec` is not an address or CIDR block, or undefined when it is one. */
function cidrProblem(spec: string): string | undefined {
  const [addr, lenText] = spec.split("/") as [string, string?];
  const family = guessFamily(addr);
  const bits = family === 4 ? 32 : 128;
  if (parseIP(addr, family) === null) return `'${spec}' is not an IPv${family} address`;
  const len = lenText === undefined ? bits : Number(lenText);
  if (!(len >= 0 && len <= bits)) return `prefix length /${lenText} is out of range for IPv${family}`;
  return undefined;
}

/** Read, validate and normalise one rule pack. Throws RulePackError. */
export function loadRulePack(file: string): RulePack {
  const y = parseYamlFile(file);
  validate(y, "rule-pack");
  const raw = (y.data as { rules: RawRule[] }).rules;
  const issues: RulePackIssue[] = [];
  const firstById = new Map<string, Location>();
  const rules: RuleDefinition[] = [];
  raw.forEach((r, i) => {
    const source = sourceOf(y, ["rules", i]);
    const first = firstById.get(r.id);
    if (first) {
      issues.push(
        issueAt(y, ["rules", i, "id"], `duplicate rule id "${r.id}" (first defined at ${first.file}:${first.line}:${first.column})`),
      );
    } else {
      firstById.set(r.id, source);
    }
    if (r.check === "reachability") issues.push(...reachabilityIssues(y, r, i));
    rules.push(withDefaults(r, source));
  });
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new RulePackError(issues);
  }
  return { file, rules };
}

// ---------------------------------------------------------------------------------------------
// Service catalog

/** A catalog entry as written (rules/services.yaml, and `.fwlint.yaml` services:). */
export interface RawService {
  id: string;
  name: string;
  protocols: ProtocolName[];
  ports: (string | number)[];
  severity: Severity;
}

/** Read, validate and normalise a sensitive-service catalog. Throws RulePackError. */
export function loadServiceCatalog(file: string): ServiceCatalog {
  const y = parseYamlFile(file);
  validate(y, "services");
  const raw = (y.data as { services: RawService[] }).services;
  const issues: RulePackIssue[] = [];
  const byId = new Map<string, Service>();
  const services: Service[] = [];
  raw.forEach((s, i) => {
    const source = sourceOf(y, ["services", i]);
    const first = byId.get(s.id);
    if (first) {
      const f = first.source;
      issues.push(issueAt(y, ["services", i, "id"], `duplicate service id "${s.id}" (first defined at ${f.file}:${f.line}:${f.column})`));
    }
    if (s.protocols.includes("any") && s.protocols.length > 1) {
      issues.push(issueAt(y, ["services", i, "protocols"], '"any" already covers every protocol; list it alone'));
    }
    const ports: [number, number][] = [];
    s.ports.forEach((spec, j) => {
      const [loText, hiText = loText] = String(spec).split("-") as [string, string?];
      const lo = Number(loText);
      const hi = Number(hiText);
      const at = ["services", i, "ports", j];
      if (lo > 65535 || hi > 65535) issues.push(issueAt(y, at, `port ${lo > 65535 ? lo : hi} is above 65535`));
      else if (lo > hi) issues.push(issueAt(y, at, `port range ${lo}-${hi} is empty (low end above high end)`));
      else ports.push([lo, hi]);
    });
    const service: Service = {
      id: s.id,
      name: s.name,
      protocols: s.protocols.includes("any")
        ? "any"
        : s.protocols.map((p) => PROTOCOL_NUMBERS[p as Exclude<ProtocolName, "any">]),
      protocolNames: [...s.protocols],
      ports,
      severity: s.severity,
      source,
    };
    if (!first) byId.set(s.id, service);
    services.push(service);
  });
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new RulePackError(issues);
  }
  return { file, services, byId };
}

// ---------------------------------------------------------------------------------------------
// Built-ins
//
// The bundle carries rules/builtin.yaml and rules/services.yaml already loaded and validated
// (precompileBuiltins, run by src/build/build.mjs), so a CLI run reads neither YAML nor the schemas.
// From sources (tests, no bundle) they are read from the YAML files every time, so edits show at once.

/** Set by the bundler: precompileBuiltins().rules, JSON text. */
declare const __FWLINT_BUILTIN_RULES__: string | undefined;
/** Set by the bundler: precompileBuiltins().catalog, JSON text. */
declare const __FWLINT_BUILTIN_CATALOG__: string | undefined;

/** The catalog as the bundle carries it (byId is rebuilt). */
type PrecompiledCatalog = Omit<ServiceCatalog, "byId">;

// In the precompiled JSON every `file` is relative to the package root and `/`-separated.

/** Parsed afresh on every call, so each caller gets its own objects (as from YAML). */
function fromPrecompiled<T extends { file: string }>(json: string, items: (t: T) => { source: Location }[]): T {
  const data = JSON.parse(json) as T;
  const root = packageRoot();
  const abs = (file: string) => join(root, ...file.split("/"));
  data.file = abs(data.file);
  for (const item of items(data)) item.source.file = abs(item.source.file);
  return data;
}

// The typeof tests are on the bundler constants themselves, so that in the bundle the YAML branch
// (and with it yaml and ajv) is dropped as dead code unless something else reads a rule pack.

/** rules/builtin.yaml of this package. */
export function loadBuiltinRules(): RulePack {
  if (typeof __FWLINT_BUILTIN_RULES__ === "string") {
    return fromPrecompiled<RulePack>(__FWLINT_BUILTIN_RULES__, (p) => p.rules);
  }
  return loadRulePack(builtinRulesFile());
}

/** rules/services.yaml of this package. */
export function loadBuiltinCatalog(): ServiceCatalog {
  if (typeof __FWLINT_BUILTIN_CATALOG__ === "string") {
    const { file, services } = fromPrecompiled<PrecompiledCatalog>(__FWLINT_BUILTIN_CATALOG__, (c) => c.services);
    const byId = new Map<string, Service>();
    for (const s of services) if (!byId.has(s.id)) byId.set(s.id, s);
    return { file, services, byId };
  }
  return loadServiceCatalog(builtinCatalogFile());
}

/**
 * For the build: the built-in pack and catalog read from YAML and validated (throws RulePackError),
 * as the JSON texts the bundle carries in __FWLINT_BUILTIN_RULES__ and __FWLINT_BUILTIN_CATALOG__.
 */
export function precompileBuiltins(): { rules: string; catalog: string } {
  const root = packageRoot();
  const rel = (file: string) => relative(root, file).split(sep).join("/");
  const pack = loadRulePack(builtinRulesFile());
  const catalog = loadServiceCatalog(builtinCatalogFile());
  const rules: RulePack = {
    file: rel(pack.file),
    rules: pack.rules.map((r) => ({ ...r, source: { ...r.source, file: rel(r.source.file) } })),
  };
  const services: PrecompiledCatalog = {
    file: rel(catalog.file),
    services: catalog.services.map((s) => ({ ...s, source: { ...s.source, file: rel(s.source.file) } })),
  };
  return { rules: JSON.stringify(rules), catalog: JSON.stringify(services) };
}

// ---------------------------------------------------------------------------------------------
// User rule packs (`check --rules FILE`, .fwlint.yaml `rulePacks:`)

/**
 * The rules of user-written packs, in order, to run after the built-ins. Each pack is validated like
 * the built-in one; a rule id that the built-in pack or an earlier pack already has is an error.
 * Throws RulePackError with every problem of every pack. A file named twice is read once.
 */
export function loadUserRules(files: readonly string[], builtin: readonly RuleDefinition[] = loadBuiltinRules().rules): RuleDefinition[] {
  const issues: RulePackIssue[] = [];
  const seen = new Map<string, Location>(builtin.map((r) => [r.id, r.source]));
  const rules: RuleDefinition[] = [];
  for (const file of [...new Set(files)]) {
    let pack: RulePack;
    try {
      pack = loadRulePack(file);
    } catch (err) {
      if (!(err instanceof RulePackError)) throw err;
      issues.push(...err.issues);
      continue;
    }
    for (const [i, r] of pack.rules.entries()) {
      const first = seen.get(r.id);
      if (first) {
        issues.push({ ...r.source, path: `rules[${i}].id`, expected: `duplicate rule id "${r.id}" (already defined at ${first.file}:${first.line}:${first.column})` });
        continue;
      }
      seen.set(r.id, r.source);
      rules.push(r);
    }
  }
  if (issues.length > 0) throw new RulePackError(issues);
  return rules;
}

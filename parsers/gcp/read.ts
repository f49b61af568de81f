/**
 * Google Cloud firewall JSON -> VPC firewall rules and firewall policies, with the place of each
 * part in the text. The document is checked against rules/schema/gcp-firewall.schema.json (ajv,
 * compiled once); each problem is an error `path: expected` at its place, and the rule holding it
 * is left out while the others are still read. Never throws.
 *
 * Shapes read: a bare array of rules (gcloud, aerleon), `{"items": [...]}` (REST list), one rule
 * (`firewalls.get`), `{"firewalls": [...], "firewallPolicys": [...]}` (getEffectiveFirewalls), each
 * also inside a recording's `{"headers": ..., "body": ...}` or an SDK's `{"data": ...}`.
 */
import { schemaIssues } from "../json-schema.js";
import { type Json, Lines, jsonPlaces, MAX_JSON_DEPTH, parseJsonText, pathKey } from "../json-text.js";
import type { Diagnostic, SourceSpan } from "../../src/model/types.js";

/** A value as written, and where. */
export interface Placed {
  text: string;
  span: SourceSpan;
}

/** One `allowed`/`denied` entry (or a policy rule's `layer4Configs` entry). */
export interface ProtocolEntry {
  /** As written: "tcp", "all", "50" (a number is kept as its decimal text). */
  protocol: string;
  /** Absent: every port. */
  ports?: Placed[];
  span: SourceSpan;
}

export type Direction = "INGRESS" | "EGRESS";

/** A VPC firewall rule (`compute#firewall`). */
export interface FirewallRule {
  name: string;
  /** Project and network name from the `network` URL; absent: the project's `default` network. */
  network: { project?: string; name: string };
  direction: Direction;
  /** 0-65535, default 1000; lower numbers win. */
  priority: number;
  action: "allow" | "deny";
  protocols: ProtocolEntry[];
  sourceRanges: Placed[];
  destinationRanges: Placed[];
  sourceTags: Placed[];
  sourceServiceAccounts: Placed[];
  targetTags: string[];
  targetServiceAccounts: string[];
  disabled: boolean;
  /** The rule's `name` value (its object when it has none). */
  span: SourceSpan;
  /** The rule named neither `allowed` nor `denied` (the API refuses that). */
  noVerdict: boolean;
}

/** A rule of a hierarchical or network firewall policy (`compute#firewallPolicyRule`). */
export interface PolicyRule {
  priority: number;
  action: "allow" | "deny" | "goto_next" | "apply_security_profile_group";
  direction: Direction;
  disabled: boolean;
  srcIpRanges: Placed[];
  destIpRanges: Placed[];
  layer4Configs: ProtocolEntry[];
  /** `match` fields naming sources or destinations fwlint cannot resolve (secure tags, FQDNs, regions...), by field. */
  unresolved: { field: string; values: string[] }[];
  /** Network scopes of the peers (srcNetworkScope INTERNET, srcNetworks ...): they narrow the match. */
  scopes: { field: string; values: string[] }[];
  targetServiceAccounts: string[];
  /** Networks (URLs) the rule is limited to; empty: every network. */
  targetResources: string[];
  /** How many secure tags the rule's targets must carry (0: none asked). */
  targetSecureTags: number;
  /** The rule's `action` value (its object without one). */
  span: SourceSpan;
}

export interface FirewallPolicy {
  /** displayName, shortName or name. */
  name: string;
  /** HIERARCHY (organization/folder), NETWORK, NETWORK_REGIONAL, ... as the API says. */
  type: string;
  rules: PolicyRule[];
  span: SourceSpan;
}

export interface GcpDocument {
  rules: FirewallRule[];
  policies: FirewallPolicy[];
  /**
   * The rules are those in effect on one instance (`instances.getEffectiveFirewalls`, told by a
   * recording's content-location): that instance carries every target they name.
   */
  instance?: string;
  /** The document's start, for what is not written in it (the implied rules). */
  span: SourceSpan;
}

type Obj = { [k: string]: Json };
type Path = (string | number)[];
const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const strings = (v: Json | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** `match` fields of a policy rule that name peers by something other than addresses. */
const UNRESOLVED_MATCH = ["srcSecureTags", "srcFqdns", "srcRegionCodes", "srcThreatIntelligences", "srcAddressGroups", "destFqdns", "destRegionCodes", "destThreatIntelligences", "destAddressGroups"];
/** `match` fields that narrow a policy rule by the networks its peers are in (ANDed with the rest). */
const SCOPE_MATCH = ["srcNetworkScope", "srcNetworkType", "srcNetworkContext", "srcNetworks", "destNetworkScope", "destNetworkType", "destNetworkContext", "destNetworks"];

/** Does an object look like one firewall rule (the document of `firewalls.get`)? */
const isFirewall = (o: Obj) => "allowed" in o || "denied" in o || o.kind === "compute#firewall";

export function readGcpFirewall(text: string, file: string): { doc: GcpDocument; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const doc: GcpDocument = { rules: [], policies: [], span: { file, line: 1, column: 1 } };
  const error = (line: number, column: number, message: string) => diagnostics.push({ severity: "error", message, file, line, column });
  const info = (span: SourceSpan, message: string) => diagnostics.push({ severity: "info", message, file, line: span.line, column: span.column });
  const parsed = parseJsonText(text, MAX_JSON_DEPTH);
  if (!parsed.ok) {
    error(parsed.line, parsed.column, parsed.message);
    return { doc, diagnostics };
  }
  const data = parsed.data;
  const places = jsonPlaces(text);
  const lines = new Lines(text);
  /** The place of the value at `path`, else of the nearest part above it that is there. */
  const spanAt = (path: Path): SourceSpan => {
    let offset: number | undefined;
    for (let n = path.length; offset === undefined && n >= 0; n--) offset = places.value.get(pathKey(path.slice(0, n)));
    const { line, column, text: lineText } = lines.at(offset ?? 0);
    return { file, line, column, text: lineText };
  };
  doc.span = spanAt([]);

  // the document inside a recording's or an SDK's wrapper
  const wrapper = isObj(data) && !isFirewall(data) ? (["body", "data"] as const).find((k) => data[k] !== undefined && typeof data[k] === "object") : undefined;
  const base: Path = wrapper ? [wrapper] : [];
  const headers = isObj(data) && isObj(data.headers) ? data.headers : undefined;
  const location = headers && typeof headers["content-location"] === "string" ? headers["content-location"] : undefined;
  const instance = location ? /\/instances\/([^/?#]+)\/getEffectiveFirewalls\b/.exec(location)?.[1] : undefined;
  if (instance !== undefined) doc.instance = instance;
  const inner: Json = wrapper && isObj(data) ? data[wrapper]! : data;

  /** Where the firewall rules are, and whether the document is one rule. */
  let listAt: Path | undefined;
  let single = false;
  if (Array.isArray(inner)) listAt = base;
  else if (isObj(inner)) {
    if (isFirewall(inner)) single = true;
    else if (Array.isArray(inner.items)) listAt = [...base, "items"];
    else if (Array.isArray(inner.firewalls)) listAt = [...base, "firewalls"];
  }

  // schema problems: each an error at its place; the rule (or policy rule) it is in is left out
  const badRules = new Set<number>();
  const badPolicyRules = new Set<string>();
  const issues = schemaIssues(text, file, data, "gcp-firewall");
  for (const i of issues) {
    error(i.line, i.column, `${i.path === "" ? "the document" : i.path}: ${i.expected}`);
    // the path inside the wrapper: `body.items[2]`, `data[0]`
    const inWrapper = wrapper !== undefined && (i.path.startsWith(`${wrapper}.`) || i.path.startsWith(`${wrapper}[`));
    const rest = inWrapper ? i.path.slice(wrapper.length).replace(/^\./, "") : i.path;
    const fw = /^(?:items|firewalls)?\[(\d+)\]/.exec(rest);
    const pr = /^firewallPolicys\[(\d+)\](?:\.rules\[(\d+)\])?/.exec(rest);
    if (pr) badPolicyRules.add(pr[2] === undefined ? pr[1]! : `${pr[1]}.${pr[2]}`);
    else if (fw) badRules.add(Number(fw[1]));
    else if (single && (wrapper === undefined || inWrapper)) badRules.add(0);
  }

  if (isObj(inner) && isObj(inner.error)) {
    const e = inner.error;
    error(spanAt([...base, "error"]).line, spanAt([...base, "error"]).column, `the document is an API error response${typeof e.code === "number" ? ` (${e.code})` : ""}${typeof e.message === "string" ? `: ${e.message}` : ""}, not firewall rules`);
    return { doc, diagnostics };
  }

  const firewalls: [Json, Path][] = single ? [[inner, base]] : listAt ? (getList(data, listAt) ?? []).map((r, k): [Json, Path] => [r, [...listAt, k]]) : [];
  firewalls.forEach(([r, at], k) => {
    if (badRules.has(k) || !isObj(r)) return;
    doc.rules.push(readRule(r, at, spanAt));
  });

  const policies = isObj(inner) && Array.isArray(inner.firewallPolicys) ? inner.firewallPolicys : [];
  policies.forEach((p, k) => {
    if (badPolicyRules.has(String(k)) || !isObj(p)) return;
    const at = [...base, "firewallPolicys", k];
    const name = [p.displayName, p.shortName, p.name].find((x): x is string => typeof x === "string" && x !== "") ?? `#${k + 1}`;
    const rules: PolicyRule[] = [];
    (Array.isArray(p.rules) ? p.rules : []).forEach((r, j) => {
      if (badPolicyRules.has(`${k}.${j}`) || !isObj(r)) return;
      rules.push(readPolicyRule(r, [...at, "rules", j], spanAt));
    });
    doc.policies.push({ name, type: typeof p.type === "string" ? p.type : "HIERARCHY", rules, span: spanAt(at) });
  });

  if (!single && listAt === undefined && diagnostics.length === 0) {
    const empty = isObj(inner) && Object.keys(inner).filter((key) => key !== "kind" && key !== "id" && key !== "selfLink" && key !== "firewallPolicys").length === 0;
    if (empty && doc.policies.every((p) => p.rules.length === 0)) info(doc.span, "the document holds no firewall rules");
    else error(doc.span.line, doc.span.column, "the document: expected firewall rules (a list of them, `items` or `firewalls` (getEffectiveFirewalls)) or one rule with `allowed` or `denied`");
  } else if (doc.rules.length === 0 && doc.policies.every((p) => p.rules.length === 0) && diagnostics.length === 0) {
    info(doc.span, "the document holds no firewall rules");
  }
  return { doc, diagnostics };
}

function getList(data: Json, path: Path): Json[] | undefined {
  let v: Json | undefined = data;
  for (const seg of path) v = v !== null && typeof v === "object" ? (v as { [k: string]: Json })[seg as string] : undefined;
  return Array.isArray(v) ? v : undefined;
}

/** `network` URL -> project and name: `https://.../projects/P/global/networks/N`, `global/networks/N`, `N`. */
export function networkOf(url: string | undefined): { project?: string; name: string } {
  if (url === undefined) return { name: "default" };
  const m = /(?:projects\/([^/]+)\/)?global\/networks\/([^/?#]+)/.exec(url);
  if (m) return { ...(m[1] !== undefined ? { project: m[1] } : {}), name: m[2]! };
  return { name: url.replace(/\/+$/, "").split("/").pop() || url };
}

function placedList(o: Obj, field: string, at: Path, spanAt: (p: Path) => SourceSpan): Placed[] {
  const v = o[field];
  if (!Array.isArray(v)) return [];
  const out: Placed[] = [];
  v.forEach((x, i) => {
    if (typeof x === "string") out.push({ text: x, span: spanAt([...at, field, i]) });
  });
  return out;
}

function protocolEntries(o: Obj, field: string, protoKey: string, at: Path, spanAt: (p: Path) => SourceSpan): ProtocolEntry[] {
  const v = o[field];
  if (!Array.isArray(v)) return [];
  const out: ProtocolEntry[] = [];
  v.forEach((e, i) => {
    if (!isObj(e)) return;
    const p = e[protoKey];
    const here = [...at, field, i];
    out.push({
      protocol: typeof p === "number" ? String(p) : String(p ?? "all"),
      ...(Array.isArray(e.ports) ? { ports: placedList(e, "ports", here, spanAt) } : {}),
      span: spanAt(here),
    });
  });
  return out;
}

/** A priority as a number, or as the decimal string the API's JSON mapping also takes (aerleon writes "1"). */
function priorityOf(v: Json | undefined, dflt: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return Number(v);
  return dflt;
}

function readRule(r: Obj, at: Path, spanAt: (p: Path) => SourceSpan): FirewallRule {
  // the verdict is the list that has entries (an SDK may print the other one empty)
  const denied = Array.isArray(r.denied) && (r.denied.length > 0 || !Array.isArray(r.allowed) || r.allowed.length === 0);
  return {
    name: typeof r.name === "string" ? r.name : `#${Number(at[at.length - 1] ?? 0) + 1}`,
    network: networkOf(typeof r.network === "string" ? r.network : undefined),
    direction: r.direction === "EGRESS" ? "EGRESS" : "INGRESS",
    priority: priorityOf(r.priority, 1000),
    action: denied ? "deny" : "allow",
    protocols: protocolEntries(r, denied ? "denied" : "allowed", "IPProtocol", at, spanAt),
    sourceRanges: placedList(r, "sourceRanges", at, spanAt),
    destinationRanges: placedList(r, "destinationRanges", at, spanAt),
    sourceTags: placedList(r, "sourceTags", at, spanAt),
    sourceServiceAccounts: placedList(r, "sourceServiceAccounts", at, spanAt),
    targetTags: strings(r.targetTags),
    targetServiceAccounts: strings(r.targetServiceAccounts),
    disabled: r.disabled === true,
    span: spanAt(typeof r.name === "string" ? [...at, "name"] : at),
    noVerdict: !denied && !Array.isArray(r.allowed),
  };
}

function readPolicyRule(r: Obj, at: Path, spanAt: (p: Path) => SourceSpan): PolicyRule {
  const match = isObj(r.match) ? r.match : {};
  const m = [...at, "match"];
  const unresolved: PolicyRule["unresolved"] = [];
  for (const field of UNRESOLVED_MATCH) {
    const v = match[field];
    if (!Array.isArray(v) || v.length === 0) continue;
    unresolved.push({ field, values: v.map((x) => (typeof x === "string" ? x : isObj(x) && typeof x.name === "string" ? x.name : JSON.stringify(x))) });
  }
  const scopes: PolicyRule["scopes"] = [];
  for (const field of SCOPE_MATCH) {
    const v = match[field];
    const values = typeof v === "string" ? [v] : Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))) : [];
    if (values.length > 0) scopes.push({ field, values });
  }
  const action = r.action;
  return {
    scopes,
    priority: priorityOf(r.priority, 0),
    action: action === "deny" || action === "goto_next" || action === "apply_security_profile_group" ? action : "allow",
    direction: r.direction === "EGRESS" ? "EGRESS" : "INGRESS",
    disabled: r.disabled === true,
    srcIpRanges: placedList(match, "srcIpRanges", m, spanAt),
    destIpRanges: placedList(match, "destIpRanges", m, spanAt),
    layer4Configs: protocolEntries(match, "layer4Configs", "ipProtocol", m, spanAt),
    unresolved,
    targetServiceAccounts: strings(r.targetServiceAccounts),
    targetResources: strings(r.targetResources),
    targetSecureTags: Array.isArray(r.targetSecureTags) ? r.targetSecureTags.length : 0,
    span: spanAt([...at, "action"]),
  };
}

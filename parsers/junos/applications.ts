/**
 * Applications: `applications application N` (one implicit term, or several `term T`s) with
 * protocol, destination-port, source-port, icmp-type/icmp-code (icmp6-type/icmp6-code), nested
 * `application-set`s (cycle-checked), and the predefined `junos-*` table. Each resolves to the
 * packets it matches as alternatives (a disjunction of conjunctions of model conditions).
 */
import type { Condition } from "../../src/model/types.js";
import { PREDEFINED_APPLICATIONS } from "./predefined-applications.js";
import { junosProtocol, parseIcmpTypeRange, parsePortRange, parseSmallRange } from "./names.js";
import type { Diagnostics } from "./statements.js";
import { at, child, kids, leafPaths, type ConfigNode } from "./tree.js";

/** Packets an application matches: any one of the alternatives. */
export type Alternatives = Condition[][];

const IGNORED_KEYS = new Set(["inactivity-timeout", "description", "application-protocol", "alg", "ttl-threshold", "do-not-translate-a-query-to-aaaa-query", "do-not-translate-aaaa-query-to-a-query"]);
const DYNAMIC_KEYS = new Set(["rpc-program-number", "uuid", "ether-type"]);

/** Deepest application-set nesting resolved. */
const MAX_NESTING = 64;

export class Applications {
  private readonly apps = new Map<string, ConfigNode>();
  private readonly sets = new Map<string, ConfigNode>();
  private readonly cache = new Map<string, Alternatives>();

  constructor(root: ConfigNode, private readonly diags: Diagnostics) {
    const node = at(root, "applications");
    for (const a of kids(child(node, "application"))) this.apps.set(a.name, a);
    for (const s of kids(child(node, "application-set"))) this.sets.set(s.name, s);
  }

  /** Resolves every defined application and set once, so undefined members are reported even when unused. */
  checkAll(): void {
    for (const name of [...this.apps.keys(), ...this.sets.keys()]) this.resolveName(name, []);
  }

  /** The alternatives of a name, or undefined when neither the config nor the predefined table has it. */
  resolve(name: string): Alternatives | undefined {
    return this.resolveName(name, []);
  }

  private resolveName(name: string, visiting: string[]): Alternatives | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let out: Alternatives | undefined;
    const app = this.apps.get(name);
    const set = this.sets.get(name);
    if (app) out = this.userApplication(app);
    else if (set) {
      if (visiting.includes(name)) {
        this.diags.error(set, `application-set '${name}' contains itself (${[...visiting, name].join(" -> ")})`);
        return [[{ kind: "unknown", text: `application-set ${name}`, reason: "cyclic application-set" }]];
      }
      if (visiting.length >= MAX_NESTING) {
        this.diags.error(set, `application-set '${name}' is nested more than ${MAX_NESTING} levels deep; not resolved`);
        return [[{ kind: "unknown", text: `application-set ${name}`, reason: "application-set nested too deep" }]];
      }
      out = [];
      for (const kind of ["application", "application-set"] as const) {
        for (const m of kids(child(set, kind))) {
          if (m.name === "any") {
            out.push([]);
            continue;
          }
          const v = this.resolveName(m.name, [...visiting, name]);
          if (v) out.push(...v);
          else {
            this.diags.error(m, `application-set '${name}' refers to undefined ${kind} '${m.name}'`);
            out.push([{ kind: "unknown", text: m.name, reason: `undefined ${kind} ${m.name}` }]);
          }
        }
      }
    } else {
      const pre = PREDEFINED_APPLICATIONS.get(name);
      if (!pre) return undefined;
      out = [];
      for (const term of pre) {
        if (term.startsWith("@")) out.push(...(this.resolveName(term.slice(1), [...visiting, name]) ?? []));
        else out.push(predefinedTerm(name, term));
      }
    }
    this.cache.set(name, out);
    return out;
  }

  private userApplication(app: ConfigNode): Alternatives {
    // key/value pairs per term; statements outside any term form the implicit term
    const terms = new Map<string, Map<string, ConfigNode>>();
    for (const path of leafPaths(app)) {
      let i = 0;
      let term = "";
      if (path[0]?.name === "term") {
        term = path[1]?.name ?? "";
        i = 2;
      }
      let kv = terms.get(term);
      if (!kv) {
        kv = new Map();
        terms.set(term, kv);
      }
      while (i < path.length) {
        const key = path[i]!;
        const val = path[i + 1];
        if (val) kv.set(key.name, val);
        else if (!IGNORED_KEYS.has(key.name)) this.diags.warn(key, `application '${app.name}': '${key.name}' needs a value`);
        i += 2;
      }
    }
    const out: Alternatives = [];
    for (const [term, kv] of terms) {
      const conj = this.termConditions(app.name, term, kv);
      if (conj) out.push(conj);
    }
    if (terms.size === 0) this.diags.warn(app, `application '${app.name}' has no protocol or ports: it matches every packet`);
    return out.length > 0 ? out : [[]];
  }

  private termConditions(app: string, term: string, kv: Map<string, ConfigNode>): Condition[] | undefined {
    const conds: Condition[] = [];
    const where = term ? `application '${app}' term '${term}'` : `application '${app}'`;
    if (kv.size === 0 && term) return [];
    let proto: number | null = null;
    const p = kv.get("protocol");
    if (p) {
      proto = junosProtocol(p.name);
      if (proto === null) {
        this.diags.error(p, `${where}: unknown protocol '${p.name}'`);
        return [{ kind: "unknown", text: `protocol ${p.name}`, reason: "unknown protocol" }];
      }
      if (proto !== 0) conds.push({ kind: "proto", protos: [proto] });
    }
    for (const [key, val] of kv) {
      if (key === "protocol" || IGNORED_KEYS.has(key)) continue;
      if (key === "destination-port" || key === "source-port") {
        const r = parsePortRange(val.name);
        if (!r) {
          this.diags.error(val, `${where}: expected a port or port range after '${key}', found '${val.name}'`);
          conds.push({ kind: "unknown", text: `${key} ${val.name}`, reason: "unparsed port" });
        } else if (!(r[0] === 0 && r[1] === 65535)) conds.push({ kind: "port", field: key === "source-port" ? "sport" : "dport", ranges: [r] });
        continue;
      }
      if (key === "icmp-type" || key === "icmp6-type") {
        const family = key === "icmp-type" && proto !== 58 ? 4 : 6;
        const r = parseIcmpTypeRange(val.name, family);
        if (!r) conds.push({ kind: "unknown", text: `${key} ${val.name}`, reason: "unknown ICMP type name" });
        else conds.push({ kind: "or", anyOf: rangeOf(r).map((t) => [{ kind: "icmp", family, type: t }]) });
        continue;
      }
      if (key === "icmp-code" || key === "icmp6-code") {
        const r = parseSmallRange(val.name);
        const family = key === "icmp-code" && proto !== 58 ? 4 : 6;
        if (!r) conds.push({ kind: "unknown", text: `${key} ${val.name}`, reason: "ICMP code name not modelled" });
        else conds.push({ kind: "icmp", family, codeLo: r[0], codeHi: r[1] });
        continue;
      }
      if (DYNAMIC_KEYS.has(key)) {
        conds.push({ kind: "unknown", text: `${key} ${val.name}`, reason: "ports chosen at run time (RPC program)" });
        continue;
      }
      this.diags.info(val, `${where}: '${key}' is not modelled`);
      conds.push({ kind: "unknown", text: `${key} ${val.name}`, reason: "application attribute not modelled" });
    }
    return conds;
  }
}

function rangeOf([lo, hi]: [number, number]): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
}

function predefinedTerm(name: string, term: string): Condition[] {
  if (term === "dynamic") return [{ kind: "unknown", text: name, reason: "predefined application whose ports are chosen at run time (ALG/RPC)" }];
  const icmp = /^(icmp6?)(?::([0-9]+)(?:\/([0-9]+))?)?$/.exec(term);
  if (icmp) {
    const family = icmp[1] === "icmp" ? 4 : 6;
    const conds: Condition[] = [{ kind: "proto", protos: [family === 4 ? 1 : 58] }];
    if (icmp[2] !== undefined) {
      const code = icmp[3] === undefined ? undefined : Number(icmp[3]);
      conds.push({ kind: "icmp", family, type: Number(icmp[2]), ...(code === undefined ? {} : { codeLo: code, codeHi: code }) });
    }
    return conds;
  }
  const proto = /^proto:([0-9]+)$/.exec(term);
  if (proto) return [{ kind: "proto", protos: [Number(proto[1])] }];
  const port = /^(tcp|udp)(?:\/([0-9]+)(?:-([0-9]+))?)?$/.exec(term)!;
  const conds: Condition[] = [{ kind: "proto", protos: [port[1] === "tcp" ? 6 : 17] }];
  if (port[2] !== undefined) {
    const lo = Number(port[2]);
    conds.push({ kind: "port", field: "dport", ranges: [[lo, port[3] === undefined ? lo : Number(port[3])]] });
  }
  return conds;
}

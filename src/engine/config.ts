/**
 * The project configuration `.fwlint.yaml`: found from the scanned path upwards (up to the file
 * system root, or the folder that holds a .git), or named with `check --config FILE`. Validated with
 * ajv against rules/schema/config.schema.json; every error points at the offending YAML node like the
 * rule-pack loader's: `file:line:column: path: expected` (thrown as a RulePackError).
 *
 * yaml and ajv are loaded on first use only, the same way src/engine/rule-pack.ts loads them (from the
 * bundle's dist/vendor copy when bundled), so a `check` without a configuration file loads neither.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { ValidateFunction } from "ajv";
import type { Location, Severity } from "../model/finding.js";
import { guessFamily, parseIP, prefixRange } from "../model/address.js";
import type { Family } from "../model/types.js";
import type { Value as AnsibleValue } from "../../parsers/ansible/tasks.js";
import {
  formatPath,
  getAt,
  issueAt,
  loadBuiltinCatalog,
  nodeAt,
  packageRoot,
  parseYamlFile,
  position,
  PROTOCOL_NUMBERS,
  RulePackError,
  validateWithSchema,
  yamlLibs,
  type ProtocolName,
  type RawService,
  type RulePackIssue,
  type Segment,
  type Service,
} from "./rule-pack.js";
import { nameTable } from "../model/name-table.js";

/** Messages for the config schema's oneOf fields (the alternatives' own errors say less). */
const ONE_OF_HINTS: Readonly<Record<string, string>> = nameTable({
  ports: 'must be a port "N", a range "N-M", or a list of them',
  to: "must be an address or CIDR block, or a list of them",
  from: 'must be "any", an address or CIDR block, or a list of them',
});

export const CONFIG_FILE_NAME = ".fwlint.yaml";

/** An interface name as configured: `eth0`, or `ppp+` for every name starting with `ppp`. */
export interface InterfaceName {
  name: string;
  prefix: boolean;
}

/** One address block of an intent entry, as an inclusive range. */
export interface AddressBlock {
  family: Family;
  lo: bigint;
  hi: bigint;
}

/** An intent entry resolved to numbers (protocol numbers, port ranges, address blocks). */
export interface IntentEntry {
  /** IP protocol numbers, or "any". */
  protocols: number[] | "any";
  /** Inclusive destination port ranges; undefined: every port. */
  ports?: [number, number][];
  /** Destination blocks; undefined: any destination. */
  to?: AddressBlock[];
  /** Source blocks; undefined: any source. */
  from?: AddressBlock[];
  reason: string;
  source: Location;
}

export interface FwlintConfig {
  file: string;
  internet?: { files: string; interfaces: InterfaceName[] }[];
  severity?: Record<string, Severity>;
  rules?: Record<string, boolean>;
  threshold?: number;
  failOn?: Severity | "none";
  /** Catalog additions (an entry with a built-in id replaces it). */
  services?: Service[];
  intent?: IntentEntry[];
  /** User rule packs (absolute paths, resolved against the configuration file's folder). */
  rulePacks?: string[];
  /** Extra variables for Ansible playbooks and templates, above every other (ansible-playbook's `-e`). */
  ansibleVars?: Record<string, AnsibleValue>;
  /** Variables of each inventory host, as its gathered facts stand (above its inventory variables). */
  ansibleHostVars?: Record<string, Record<string, AnsibleValue>>;
}

// ---------------------------------------------------------------------------------------------
// Finding the file

/**
 * The `.fwlint.yaml` that applies to `path` (a file or folder): the nearest one in its folder or
 * above. The search stops at the file system root and at a folder holding `.git` (after looking there).
 */
export function findConfig(path: string): string | undefined {
  let dir = resolve(path);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, ".git"))) return undefined;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

// ---------------------------------------------------------------------------------------------
// The schema (yaml and ajv come from rule-pack.ts's loader, on first use)

export function configSchemaFile(): string {
  return join(packageRoot(), "rules", "schema", "config.schema.json");
}

/** The JSON Schema text `fwlint schema` prints. */
export function configSchemaText(): string {
  return readFileSync(configSchemaFile(), "utf8");
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new (yamlLibs().Ajv)({ allErrors: true, allowUnionTypes: true, strict: true, strictTypes: false, verbose: true });
    compiled = ajv.compile(JSON.parse(configSchemaText()) as object);
  }
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Loading

interface RawIntent {
  service?: string;
  protocol?: ProtocolName;
  ports?: string | number | (string | number)[];
  to?: string | string[];
  from?: string | string[];
  reason: string;
}
interface RawConfig {
  internet?: { files: string; interfaces: string[] }[];
  severity?: Record<string, Severity>;
  rules?: Record<string, boolean>;
  threshold?: number;
  failOn?: Severity | "none";
  services?: RawService[];
  intent?: RawIntent[];
  rulePacks?: string[];
  ansibleVars?: Record<string, AnsibleValue>;
  ansibleHostVars?: Record<string, Record<string, AnsibleValue>>;
}

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/** Read and validate a configuration file. Throws RulePackError (file:line:col: path: expected). */
export function loadConfig(file: string): FwlintConfig {
  const y = parseYamlFile(file, {}); // an empty file is an empty configuration
  if (y.data === null || typeof y.data !== "object" || Array.isArray(y.data)) {
    throw new RulePackError([{ file, ...position(y, y.root), path: "", expected: "must be a mapping (key: value)" }]);
  }
  validateWithSchema(y, validator(), ONE_OF_HINTS);
  const raw = y.data as RawConfig;
  const issues: RulePackIssue[] = [];
  const config: FwlintConfig = { file };

  const portRanges = (specs: (string | number)[], at: Segment[]): [number, number][] => {
    const out: [number, number][] = [];
    specs.forEach((spec, j) => {
      const [loText, hiText = loText] = String(spec).split("-") as [string, string?];
      const lo = Number(loText);
      const hi = Number(hiText);
      const where = Array.isArray(getAt(raw, at)) ? [...at, j] : at;
      if (lo > 65535 || hi > 65535) issues.push(issueAt(y, where, `port ${lo > 65535 ? lo : hi} is above 65535`));
      else if (lo > hi) issues.push(issueAt(y, where, `port range ${lo}-${hi} is empty (low end above high end)`));
      else out.push([lo, hi]);
    });
    return out;
  };

  if (raw.internet) {
    config.internet = raw.internet.map((e) => ({
      files: e.files,
      interfaces: e.interfaces.map((n) => (n.endsWith("+") ? { name: n.slice(0, -1), prefix: true } : { name: n, prefix: false })),
    }));
  }
  if (raw.severity) config.severity = { ...raw.severity };
  if (raw.rules) config.rules = { ...raw.rules };
  if (raw.threshold !== undefined) config.threshold = raw.threshold;
  if (raw.failOn !== undefined) config.failOn = raw.failOn;
  if (raw.rulePacks) config.rulePacks = raw.rulePacks.map((p) => resolve(dirname(resolve(file)), p));
  if (raw.ansibleVars) config.ansibleVars = { ...raw.ansibleVars };
  if (raw.ansibleHostVars) config.ansibleHostVars = { ...raw.ansibleHostVars };

  if (raw.services) {
    config.services = raw.services.map((s, i) => {
      if (s.protocols.includes("any") && s.protocols.length > 1) {
        issues.push(issueAt(y, ["services", i, "protocols"], '"any" already covers every protocol; list it alone'));
      }
      const { line, column } = position(y, nodeAt(y.root, ["services", i]).node);
      return {
        id: s.id,
        name: s.name,
        protocols: s.protocols.includes("any") ? "any" : s.protocols.map((p) => PROTOCOL_NUMBERS[p as Exclude<ProtocolName, "any">]),
        protocolNames: [...s.protocols],
        ports: portRanges(s.ports, ["services", i, "ports"]),
        severity: s.severity,
        source: { file, line, column },
      };
    });
  }

  if (raw.intent) {
    let catalog: Map<string, Service> | undefined;
    const services = () => {
      if (!catalog) {
        catalog = new Map(loadBuiltinCatalog().services.map((s) => [s.id, s]));
        for (const s of config.services ?? []) catalog.set(s.id, s);
      }
      return catalog;
    };
    const blocks = (specs: string[] | undefined, at: Segment[]): AddressBlock[] | undefined => {
      if (specs === undefined || (specs.length === 1 && specs[0] === "any")) return undefined;
      const out: AddressBlock[] = [];
      specs.forEach((spec, j) => {
        const where = Array.isArray(getAt(raw, at)) ? [...at, j] : at;
        const [addr, lenText] = spec.split("/") as [string, string?];
        const family = guessFamily(addr);
        const value = parseIP(addr, family);
        const bits = family === 4 ? 32 : 128;
        const len = lenText === undefined ? bits : Number(lenText);
        if (value === null) issues.push(issueAt(y, where, `'${spec}' is not an IPv${family} address`));
        else if (!(len >= 0 && len <= bits)) issues.push(issueAt(y, where, `prefix length /${lenText} is out of range for IPv${family}`));
        else {
          const r = prefixRange(value, len, family);
          out.push({ family, lo: r.lo, hi: r.hi });
        }
      });
      return out;
    };
    config.intent = [];
    raw.intent.forEach((e, i) => {
      const at = ["intent", i];
      const { line, column } = position(y, nodeAt(y.root, at).node);
      let protocols: number[] | "any";
      let ports: [number, number][] | undefined;
      if (e.service !== undefined) {
        if (e.protocol !== undefined || e.ports !== undefined) {
          issues.push(issueAt(y, [...at, "service"], "give either service or protocol and ports, not both"));
          return;
        }
        const svc = services().get(e.service);
        if (!svc) {
          issues.push(issueAt(y, [...at, "service"], `unknown service '${e.service}' (not in the catalog or this file's services)`));
          return;
        }
        protocols = svc.protocols;
        ports = svc.protocols === "any" ? undefined : svc.ports;
      } else {
        if (e.protocol === undefined) {
          issues.push({ ...issueAt(y, at, "required field is missing (or give service)"), path: formatPath([...at, "protocol"]) });
          return;
        }
        protocols = e.protocol === "any" ? "any" : [PROTOCOL_NUMBERS[e.protocol]];
        const specs = list(e.ports);
        ports = specs ? portRanges(specs, [...at, "ports"]) : undefined;
      }
      const to = blocks(list(e.to), [...at, "to"]);
      const from = blocks(list(e.from), [...at, "from"]);
      config.intent!.push({
        protocols,
        ...(ports ? { ports } : {}),
        ...(to ? { to } : {}),
        ...(from ? { from } : {}),
        reason: e.reason,
        source: { file, line, column },
      });
    });
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new RulePackError(issues);
  }
  return config;
}


// ---------------------------------------------------------------------------------------------
// Applying

/** Glob match: `*` and `?` within a path segment, `**` across segments; without `/`, on the base name. */
export function matchGlob(glob: string, path: string): boolean {
  const norm = path.split("\\").join("/");
  const subject = glob.includes("/") ? norm : basename(norm);
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const rx = new RegExp(`^${re}$`);
  // A relative glob with a folder part may match the end of the path ("fw/*.rules").
  return rx.test(subject) || (glob.includes("/") && !glob.startsWith("/") && new RegExp(`(^|/)${re}$`).test(subject));
}

/** The Internet-facing interfaces configured for this file, if any entry matches it. */
export function internetInterfacesFor(config: FwlintConfig, path: string): InterfaceName[] | undefined {
  return config.internet?.find((e) => matchGlob(e.files, path))?.interfaces;
}

/** Which configuration applies to each scanned file: the one given, or the nearest found upwards. */
export class ConfigResolver {
  private readonly loaded = new Map<string, FwlintConfig>();
  private readonly found = new Map<string, string | undefined>();
  constructor(private readonly explicit?: string) {}

  /** Throws RulePackError when the file is invalid. */
  configFor(path: string): FwlintConfig | undefined {
    let file = this.explicit;
    if (file === undefined) {
      const dir = dirname(resolve(path));
      if (!this.found.has(dir)) this.found.set(dir, findConfig(path));
      file = this.found.get(dir);
    }
    if (file === undefined) return undefined;
    let config = this.loaded.get(file);
    if (!config) {
      config = loadConfig(file);
      this.loaded.set(file, config);
    }
    return config;
  }
}

/** Settings of `config` for analysing `path`, under the command line's (which win). */
export function optionsFromConfig<O extends { threshold?: number }>(config: FwlintConfig | undefined, path: string, base: O) {
  if (!config) return base;
  const internet = internetInterfacesFor(config, path);
  return {
    ...base,
    ...(base.threshold === undefined && config.threshold !== undefined ? { threshold: config.threshold } : {}),
    ...(internet ? { internetInterfaces: internet } : {}),
    ...(config.intent ? { intent: config.intent } : {}),
    ...(config.severity ? { severity: config.severity } : {}),
    ...(config.rules ? { rules: config.rules } : {}),
    ...(config.services ? { services: config.services } : {}),
    ...(config.ansibleVars ? { ansibleVars: config.ansibleVars } : {}),
    ...(config.ansibleHostVars ? { ansibleHostVars: config.ansibleHostVars } : {}),
  };
}

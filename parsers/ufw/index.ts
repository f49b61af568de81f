/**
 * ufw (Uncomplicated Firewall) configurations: any of /etc/ufw's rule files is read together with
 * the others beside it and /etc/default/ufw, into the ruleset ufw-init loads (compose.ts), so that a
 * rule of user.rules is judged where ufw puts it - after before.rules' rules, before after.rules',
 * ahead of the default policy - and every location points into the file that holds the rule.
 *
 *   parseUfw(text, file, { io, origin }) -> Ruleset   never throws
 */
import { basename, dirname, join, resolve } from "node:path";
import type { Diagnostic, Ruleset, SourceSpan } from "../../src/model/types.js";
import { diskIo, type IncludeIo } from "../file-io.js";
import { internalErrorRuleset } from "../internal-error.js";
import { parseIptablesSave } from "../iptables/index.js";
import { buildPipelines } from "../iptables/mapper.js";
import { composeUfw, readDefaults, type LineOrigin, type UfwMember } from "./compose.js";
import { UFW_MEMBER, ufwFamily } from "./detect.js";

export { detectUfw } from "./detect.js";

export interface ParseUfwOptions {
  /** Reads the other rule files and the defaults (default: the disk; a git revision's tree for diff --base). */
  io?: IncludeIo;
  /** Where the file is when `file` only labels it (a file at a git revision). */
  origin?: string;
}

const ROLES = ["before", "after", "user"] as const;

export function parseUfw(text: string, file: string, opts: ParseUfwOptions = {}): Ruleset {
  const family = ufwFamily(text, basename(opts.origin ?? file));
  try {
    return read(text, file, family, opts);
  } catch (e) {
    return internalErrorRuleset("ufw reader", { format: "ufw", file, families: [family], pipelines: buildPipelines(family, new Map()) }, [], e);
  }
}

function read(text: string, file: string, family: 4 | 6, opts: ParseUfwOptions): Ruleset {
  const io = opts.io ?? diskIo;
  const where = opts.origin ?? file;
  const dir = dirname(where);
  const own = UFW_MEMBER.exec(basename(where))?.[1] ?? "user";
  const six = family === 6 ? "6" : "";
  const shown = (path: string) => io.shown?.(path) ?? path;
  const diagnostics: Diagnostic[] = [];
  const note = (severity: Diagnostic["severity"], message: string) => diagnostics.push({ severity, message, file, line: 1, column: 1 });

  const others: { file: string; text: string }[] = [];
  const members: { before?: UfwMember; after?: UfwMember; user?: UfwMember } = {};
  const missing: string[] = [];
  for (const role of ROLES) {
    if (role === own) {
      members[role] = { file, text };
      continue;
    }
    const path = join(dir, `${role}${six}.rules`);
    const t = io.readFile(path);
    if (t === undefined) {
      missing.push(`${role}${six}.rules`);
      continue;
    }
    members[role] = { file: shown(path), text: t };
    others.push(members[role]);
  }
  const defaultsPath = join(dirname(dir), "default", "ufw");
  const defaultsText = io.readFile(defaultsPath);
  const defaults = readDefaults(defaultsText, defaultsText === undefined ? undefined : shown(defaultsPath));
  if (defaultsText !== undefined) others.push({ file: shown(defaultsPath), text: defaultsText });
  const confPath = join(dir, "ufw.conf");
  const conf = io.readFile(confPath);

  const composed = composeUfw(family, members, defaults, { file, text });
  const ruleset = parseIptablesSave(composed.text, file, { family, io, ...(opts.origin !== undefined ? { origin: opts.origin } : {}) });
  placeInFiles(ruleset, file, composed.origins);
  ruleset.format = "ufw";
  ruleset.ruleCount = [...ruleset.chains.values()].reduce((n, c) => n + c.rules.filter((r) => !r.implied).length, 0);

  const names = (list: string[]) => list.join(", ");
  const p = defaults.policies;
  note(
    "info",
    `read as ufw loads it${others.length > 0 ? `, with ${names(others.map((r) => r.file))}` : ""}: ${family === 6 ? "ip6tables" : "iptables"} chains ${family === 6 ? "ufw6" : "ufw"}-* hooked into INPUT, OUTPUT and FORWARD, default policies incoming ${p.input}, outgoing ${p.output}, routed ${p.forward}${defaultsText === undefined ? ` (ufw's defaults: no ${defaultsPath} beside the rule files)` : ""}`,
  );
  if (missing.length > 0) note("warning", `${names(missing)} not found beside this file: ufw-init fails to start without ${missing.length === 1 ? "it" : "them"} ("Couldn't find"); read as if empty`);
  if (conf !== undefined && /^\s*ENABLED\s*=\s*["']?no["']?\s*$/im.test(conf)) note("info", `${shown(confPath)} says ENABLED=no: ufw loads none of this at boot until \`ufw enable\`; analysed as enabled`);
  if (family === 6 && !defaults.ipv6) note("info", `IPV6=no in ${defaults.at?.file ?? "the defaults"}: ufw drops every IPv6 packet but loopback, whatever ${six ? "the 6.rules files say" : "these rules say"}`);
  for (const pr of composed.problems) diagnostics.push({ severity: pr.severity, message: pr.message, file: pr.file, line: pr.line, column: pr.column });
  ruleset.diagnostics = [...diagnostics, ...ruleset.diagnostics];

  if (others.length > 0) {
    ruleset.includedFiles = [...(ruleset.includedFiles ?? []), ...others.map((r) => r.file)];
    ruleset.includedLines = new Map([...(ruleset.includedLines ?? []), ...others.map((r): [string, string[]] => [r.file, r.text.split("\n")])]);
  }
  ruleset.includeWatch = [...(ruleset.includeWatch ?? []), ...ROLES.map((r) => join(resolve(dir), `${r}${six}.rules`)), resolve(defaultsPath)];
  return ruleset;
}

/**
 * Moves every place the iptables reader gave in the composed text (rules, chains, policies,
 * diagnostics) to where that line came from. A rule ufw itself makes is marked implied (the anomaly
 * checks leave it alone) and its place says what made it.
 */
export function placeInFiles(ruleset: Ruleset, file: string, origins: readonly LineOrigin[]): void {
  for (const c of ruleset.chains.values()) {
    for (const r of c.rules) if (r.span.file === file && origins[r.span.line - 1]?.made !== undefined) r.implied = true;
    // ufw's own chains (ufw-..., ufw6-...): the rule files fill them, ufw makes and enters them
    if (/^ufw6?-/.test(c.name)) c.implied = true;
  }
  const seen = new WeakSet<object>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) {
      for (const x of v.values()) visit(x);
      return;
    }
    if (Array.isArray(v) || v instanceof Set) {
      for (const x of v) visit(x);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.file === file && typeof o.line === "number") move(o as unknown as SourceSpan & { message?: string }, origins[o.line - 1]);
    for (const k of Object.keys(o)) visit(o[k]);
  };
  visit(ruleset.chains);
  visit(ruleset.diagnostics);
}

function move(place: SourceSpan & { message?: string }, origin: LineOrigin | undefined): void {
  if (!origin) return;
  const col = place.column;
  place.file = origin.file;
  place.line = origin.line;
  if (origin.columns) place.column = col < origin.columns.composedRest ? origin.columns.start : col + origin.columns.shift;
  else if (origin.made !== undefined) place.column = 1;
  if (place.message === undefined) {
    if ("text" in place || origin.made !== undefined) place.text = origin.text;
    if (origin.made !== undefined) place.label = origin.made;
  }
}

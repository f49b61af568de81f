/**
 * What ufw loads, as one iptables-restore text: ufw-init's start (ufw 0.36) replayed over the rule
 * files and the defaults.
 *
 * For each family (iptables with chains `ufw-...`; ip6tables with `ufw6-...`) ufw-init
 *   1. makes its primary chains and hooks them into the built-ins, in this order:
 *      INPUT -> before-logging-input, before-input, after-input, after-logging-input, reject-input,
 *      track-input (the same for OUTPUT and FORWARD);
 *   2. a REJECT default policy: `-A reject-X -j REJECT`; an ACCEPT one: track-X accepts new TCP and
 *      UDP connections (`-p tcp -m conntrack --ctstate NEW -j ACCEPT`, the same for udp);
 *   3. makes logging-deny, logging-allow and skip-to-policy-X (`-j` the default policy);
 *   4. loads before.rules, then after.rules (`iptables-restore -n`: a declared chain is emptied, the
 *      rest is kept), makes the user chains, loads user.rules, and hooks before-X -> user-X at the end
 *      of before-X: a user rule runs after every before.rules rule;
 *   5. sets the built-ins' policies from /etc/default/ufw (REJECT becomes DROP there).
 * With IPV6=no the IPv6 side is only `INPUT/OUTPUT/FORWARD DROP` and loopback accepted.
 *
 * Each line of the result knows where it came from: a rule file's line, or ufw itself (a place in
 * the defaults file for what a policy makes, else the rule file being read) - see LineOrigin.
 */
import { TABLES } from "../iptables/modules.js";
import { nameTable } from "../../src/model/name-table.js";

/** Where a line of the composed text comes from. */
export interface LineOrigin {
  file: string;
  line: number;
  /** The source line's text. */
  text: string;
  /** Made by ufw-init, not written in a file: a short account of it ("ufw hooks INPUT to ufw-before-input"). */
  made?: string;
  /**
   * A rule written as `-I chain [n] rest` (or `-A` with other spacing) is put out as `-A chain rest`:
   * a column at or past `composedRest` lies `shift` columns further in the file's line, one before it
   * at `start`.
   */
  columns?: { composedRest: number; shift: number; start: number };
}

export interface UfwMember {
  /** The name locations give it. */
  file: string;
  text: string;
}

export interface UfwDefaults {
  policies: { input: Policy; output: Policy; forward: Policy };
  ipv6: boolean;
  /** Where each policy is set (the defaults file's line), when a file was read. */
  at?: { file: string; lines: Partial<Record<"input" | "output" | "forward" | "ipv6", number>>; text: string[] };
}

export type Policy = "ACCEPT" | "DROP" | "REJECT";

export interface Composed {
  text: string;
  /** Per line of `text` (index 0 is line 1). */
  origins: LineOrigin[];
  /** Problems met replaying the files (a rule for a chain that does not exist then ...). */
  problems: { file: string; line: number; column: number; severity: "error" | "warning"; message: string }[];
}

interface RuleLine {
  chain: string;
  rest: string;
  origin: LineOrigin;
}

interface ChainState {
  builtin: boolean;
  policy: string;
  origin: LineOrigin;
  rules: RuleLine[];
}

const HOOKS = ["input", "output", "forward"] as const;
const HOOK_CHAIN: Record<(typeof HOOKS)[number], string> = nameTable({ input: "INPUT", output: "OUTPUT", forward: "FORWARD" });

/**
 * The ruleset ufw loads for one family from its rule files (`before`, `after`, `user`: absent when
 * the folder has none) and defaults. `anchor` is where what ufw makes is placed when no defaults
 * file tells it (the file being checked, line 1).
 */
export function composeUfw(family: 4 | 6, members: { before?: UfwMember; after?: UfwMember; user?: UfwMember }, defaults: UfwDefaults, anchor: UfwMember): Composed {
  const p = family === 6 ? "ufw6" : "ufw";
  const tables = new Map<string, Map<string, ChainState>>();
  const problems: Composed["problems"] = [];
  const made = (what: string, policyOf?: keyof UfwDefaults["policies"] | "ipv6"): LineOrigin => {
    const at = defaults.at;
    const line = policyOf !== undefined ? at?.lines[policyOf] : undefined;
    if (at && line !== undefined) return { file: at.file, line, text: at.text[line - 1] ?? "", made: what };
    // no line of a file says it: the rule ufw adds is its own text (filled in by render)
    return { file: anchor.file, line: 1, text: "", made: what };
  };

  const table = (name: string): Map<string, ChainState> => {
    let t = tables.get(name);
    if (!t) {
      t = new Map();
      for (const b of TABLES.get(name) ?? []) t.set(b, { builtin: true, policy: "ACCEPT", origin: made(`the built-in chain ${b}`), rules: [] });
      tables.set(name, t);
    }
    return t;
  };
  const chain = (t: string, name: string, origin: LineOrigin): void => {
    const tb = table(t);
    if (!tb.has(name)) tb.set(name, { builtin: false, policy: "-", origin, rules: [] });
  };
  const append = (t: string, name: string, rest: string, origin: LineOrigin): void => {
    table(t).get(name)!.rules.push({ chain: name, rest, origin });
  };

  if (family === 6 && !defaults.ipv6) {
    const why = "IPV6=no: ufw drops all IPv6 but loopback";
    const f = table("filter");
    for (const b of ["INPUT", "FORWARD", "OUTPUT"]) {
      f.get(b)!.policy = "DROP";
      f.get(b)!.origin = made(why, "ipv6");
    }
    append("filter", "INPUT", "-i lo -j ACCEPT", made(why, "ipv6"));
    append("filter", "OUTPUT", "-o lo -j ACCEPT", made(why, "ipv6"));
    return render(tables, problems);
  }

  // 1. primary chains, hooked into the built-ins
  const primary = ["before-logging", "before", "after", "after-logging", "reject", "track"];
  for (const h of HOOKS) {
    for (const k of primary) chain("filter", `${p}-${k}-${h}`, made(`ufw's chain ${p}-${k}-${h}`));
    for (const k of primary) append("filter", HOOK_CHAIN[h], `-j ${p}-${k}-${h}`, made(`ufw hooks ${HOOK_CHAIN[h]} to ${p}-${k}-${h}`));
  }
  // 2. the REJECT and ACCEPT default policies' rules
  for (const h of HOOKS) {
    const pol = defaults.policies[h];
    if (pol === "REJECT") append("filter", `${p}-reject-${h}`, "-j REJECT", made(`the ${h} default policy REJECT`, h));
    if (pol === "ACCEPT") {
      for (const proto of ["tcp", "udp"]) append("filter", `${p}-track-${h}`, `-p ${proto} -m conntrack --ctstate NEW -j ACCEPT`, made(`the ${h} default policy ACCEPT (ufw tracks new ${proto.toUpperCase()} connections)`, h));
    }
  }
  // 3. secondary chains
  for (const k of ["logging-deny", "logging-allow"]) chain("filter", `${p}-${k}`, made(`ufw's chain ${p}-${k}`));
  for (const h of HOOKS) {
    chain("filter", `${p}-skip-to-policy-${h}`, made(`ufw's chain ${p}-skip-to-policy-${h}`));
    append("filter", `${p}-skip-to-policy-${h}`, `-j ${defaults.policies[h]}`, made(`the ${h} default policy ${defaults.policies[h]}`, h));
  }
  // 4. the rule files, then the user chains' hooks
  if (members.before) restore(members.before, tables, table, problems);
  if (members.after) restore(members.after, tables, table, problems);
  if (members.user) {
    for (const k of ["user-input", "user-output", "user-forward", "user-logging-input", "user-logging-output", "user-logging-forward", "user-limit", "user-limit-accept"]) {
      chain("filter", `${p}-${k}`, made(`ufw's chain ${p}-${k}`));
    }
    restore(members.user, tables, table, problems);
    for (const h of HOOKS) append("filter", `${p}-before-${h}`, `-j ${p}-user-${h}`, made(`ufw hooks ${p}-before-${h} to ${p}-user-${h} (after before${family === 6 ? "6" : ""}.rules' rules)`));
  }
  // 5. the built-ins' policies
  const f = table("filter");
  for (const h of HOOKS) {
    const c = f.get(HOOK_CHAIN[h])!;
    c.policy = defaults.policies[h] === "REJECT" ? "DROP" : defaults.policies[h];
    c.origin = made(`the ${h} default policy ${defaults.policies[h]}`, h);
  }
  return render(tables, problems);
}

/** `iptables-restore -n < member`: declared chains emptied (built-ins take the policy given), rules appended or inserted. */
function restore(member: UfwMember, tables: Map<string, Map<string, ChainState>>, table: (name: string) => Map<string, ChainState>, problems: Composed["problems"]): void {
  const lines = member.text.split("\n");
  let current: string | undefined;
  lines.forEach((raw, i) => {
    const text = raw.replace(/\r$/, "");
    const start = text.search(/\S/);
    if (start < 0) return;
    const line = text.slice(start);
    /** A declaration's origin: its columns all map to where the line starts. */
    const declared = (): LineOrigin => ({ file: member.file, line: i + 1, text, columns: { composedRest: Number.MAX_SAFE_INTEGER, shift: 0, start: start + 1 } });
    const problem = (severity: "error" | "warning", message: string) => problems.push({ file: member.file, line: i + 1, column: start + 1, severity, message });
    if (line.startsWith("#")) return;
    if (line.startsWith("*")) {
      current = line.slice(1).split(/\s/)[0]!;
      if (!TABLES.has(current)) {
        problem("error", `unknown table '${current}'`);
        current = undefined;
        return;
      }
      table(current);
      return;
    }
    if (/^COMMIT\b/.test(line)) {
      current = undefined;
      return;
    }
    if (current === undefined) return; // (the restore of the whole file would fail: the parser of the result says nothing of it)
    const tb = tables.get(current)!;
    const decl = /^:(\S+)\s+(\S+)/.exec(line);
    if (decl) {
      const [, name, policy] = decl;
      const c = tb.get(name!);
      if (c?.builtin) {
        c.rules = [];
        if (policy !== "-") {
          c.policy = policy!;
          c.origin = declared();
        }
      } else if (c) c.rules = [];
      else tb.set(name!, { builtin: false, policy: "-", origin: declared(), rules: [] });
      return;
    }
    const cmd = /^(-A|--append|-I|--insert)\s+(\S+)(\s+)/.exec(line);
    if (cmd) {
      const name = cmd[2]!;
      let restAt = cmd[0].length;
      let position: number | undefined;
      if (cmd[1] === "-I" || cmd[1] === "--insert") {
        const n = /^(\d+)\s+/.exec(line.slice(restAt));
        if (n) {
          position = Number(n[1]);
          restAt += n[0].length;
        } else position = 1;
      }
      const c = tb.get(name);
      if (!c) {
        problem("error", `chain ${name} does not exist in table ${current} when ufw loads this file: ufw fails to start (iptables-restore refuses it)`);
        return;
      }
      const rest = line.slice(restAt);
      const composedRest = `-A ${name} `.length + 1;
      const origin: LineOrigin = { file: member.file, line: i + 1, text, columns: { composedRest, shift: start + restAt + 1 - composedRest, start: start + 1 } };
      const r: RuleLine = { chain: name, rest, origin };
      if (position === undefined) c.rules.push(r);
      else c.rules.splice(Math.max(0, Math.min(c.rules.length, position - 1)), 0, r);
      return;
    }
    problem("warning", `'${line.split(/\s/)[0]}' is not followed here: only chain declarations and rules (-A, -I) of ufw's rule files are read`);
  });
  if (current !== undefined) problems.push({ file: member.file, line: lines.length, column: 1, severity: "error", message: `table ${current} is not committed (COMMIT missing): ufw fails to load this file` });
}

function render(tables: Map<string, Map<string, ChainState>>, problems: Composed["problems"]): Composed {
  const out: string[] = [];
  const origins: LineOrigin[] = [];
  const put = (s: string, o: LineOrigin) => {
    out.push(s);
    origins.push(o);
  };
  const names = [...tables.keys()].sort((a, b) => (a === "filter" ? -1 : b === "filter" ? 1 : 0));
  for (const t of names) {
    const tb = tables.get(t)!;
    const first = [...tb.values()][0]!.origin;
    put(`*${t}`, { ...first, made: first.made ?? `table ${t}` });
    for (const [name, c] of tb) put(`:${name} ${c.builtin ? c.policy : "-"} [0:0]`, c.origin);
    for (const c of tb.values()) {
      for (const r of c.rules) {
        const line = `-A ${r.chain} ${r.rest}`;
        put(line, r.origin.made !== undefined && r.origin.text === "" ? { ...r.origin, text: line } : r.origin);
      }
    }
    put("COMMIT", { ...first, made: first.made ?? `table ${t}` });
  }
  return { text: `${out.join("\n")}\n`, origins, problems };
}

/** Reads /etc/default/ufw (shell assignments): the default policies and IPV6; ufw's shipped values for what it does not set. */
export function readDefaults(text: string | undefined, file: string | undefined): UfwDefaults {
  const policies: UfwDefaults["policies"] = { input: "DROP", output: "ACCEPT", forward: "DROP" };
  let ipv6 = true;
  if (text === undefined || file === undefined) return { policies, ipv6 };
  const lines: NonNullable<UfwDefaults["at"]>["lines"] = {};
  const textLines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  textLines.forEach((l, i) => {
    const m = /^\s*(DEFAULT_(INPUT|OUTPUT|FORWARD)_POLICY|IPV6)\s*=\s*["']?([A-Za-z]+)["']?\s*(#.*)?$/.exec(l);
    if (!m) return;
    const value = m[3]!.toUpperCase();
    if (m[1] === "IPV6") {
      ipv6 = value === "YES";
      lines.ipv6 = i + 1;
      return;
    }
    const key = m[2]!.toLowerCase() as keyof UfwDefaults["policies"];
    if (value === "ACCEPT" || value === "DROP" || value === "REJECT") {
      policies[key] = value;
      lines[key] = i + 1;
    }
  });
  return { policies, ipv6, at: { file, lines, text: textLines } };
}

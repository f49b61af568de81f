/**
 * The kernel's tables as a script changes them, one iptables command at a time, for one family.
 *
 * A command the kernel (or iptables) refuses changes nothing and is reported; the script goes on,
 * as a shell does. Each command is checked when it runs, as iptables does: a chain must exist
 * before -A/-I/-j name it, -X refuses a chain that is not empty or still referenced, a jump that
 * would close a loop is refused. Rule options are read by parsers/iptables/rule.ts (buildRule).
 */
import type { IpsetIndex } from "../ipset/match.js";
import {
  chainKey,
  type Chain,
  type Condition,
  type DiagnosticSeverity,
  type Family,
  type Rule,
  type SourceSpan,
} from "../../src/model/types.js";
import type { Pos, WordNode } from "../iptables/ast.js";
import { actionOf } from "../iptables/mapper.js";
import { TABLES, TARGETS } from "../iptables/modules.js";
import { recentListsFilledOutside, type RecentUse } from "../iptables/ordinary.js";
import { buildRule, chainNameProblem, type RuleDraft, type TargetRef } from "../iptables/rule.js";
import type { IptInvocation } from "./argv.js";
import { nameTable } from "../../src/model/name-table.js";

interface PendingRule {
  span: SourceSpan;
  conditions: Rule["conditions"];
  target: TargetRef;
  comment?: string;
  /** Its `-m recent` matches (see recentListsFilledOutside). */
  recent?: RecentUse[];
  /** Identity for -D / -C (what iptables compares: matches, target, comment). */
  key: string;
}

interface ChainState {
  name: string;
  builtin: boolean;
  policy?: "accept" | "drop";
  policySpan?: SourceSpan;
  span: SourceSpan;
  rules: PendingRule[];
}

interface TableState {
  name: string;
  chains: Map<string, ChainState>;
}

export type Status = "ok" | "fail";

const POLICIES: Readonly<Record<string, "accept" | "drop">> = nameTable({ ACCEPT: "accept", DROP: "drop" });

type Diag = (severity: DiagnosticSeverity, pos: Pos, message: string) => void;

function ruleKey(conditions: Rule["conditions"], target: TargetRef, comment: string | undefined): string {
  const t = target.kind === "none" ? ["none"] : target.kind === "chain" ? ["chain", target.name, target.goto] : ["action", target.action];
  return JSON.stringify([conditions, t, comment ?? null], (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
}

export class FamilyTables {
  readonly tables = new Map<string, TableState>();
  /** -A / -I / -R commands run (the source's rule count). */
  ruleCount = 0;
  /** At least one command of this family ran. */
  used = false;

  constructor(
    readonly family: Family,
    private readonly diag: Diag,
    /** The ipsets saved beside the script, for `-m set --match-set` (absent: none read). */
    private readonly ipsets?: IpsetIndex,
  ) {}

  private table(name: string, span: SourceSpan): TableState {
    let t = this.tables.get(name);
    if (!t) {
      // The kernel has every built-in chain of a table, with policy ACCEPT, from the start.
      t = { name, chains: new Map() };
      for (const c of TABLES.get(name) ?? []) t.chains.set(c, { name: c, builtin: true, policy: "accept", policySpan: span, span, rules: [] });
      this.tables.set(name, t);
    }
    return t;
  }

  /**
   * iptables-restore's load of one table: the table is replaced whole by one built by `build` (the
   * block's chain lines and commands, run on scratch tables that report to the same diagnostics) -
   * from nothing, or with `noflush` from a copy of the table as it is -, or left as it was when one
   * of them fails: iptables-restore commits each table at its COMMIT, all of it or none. `testOnly`
   * (--test) changes nothing.
   */
  restoreTable(name: string, span: SourceSpan, build: (scratch: FamilyTables) => Status, testOnly = false, noflush = false): Status {
    this.used = true;
    const scratch = new FamilyTables(this.family, this.diag, this.ipsets);
    const current = noflush ? this.tables.get(name) : undefined;
    if (current) scratch.tables.set(name, { name, chains: new Map([...current.chains].map(([k, c]) => [k, { ...c, rules: [...c.rules] }])) });
    else if (TABLES.has(name)) scratch.table(name, span);
    if (build(scratch) === "fail") return "fail";
    if (testOnly) return "ok";
    const t = scratch.tables.get(name);
    if (t) this.tables.set(name, t);
    this.ruleCount += scratch.ruleCount;
    return "ok";
  }

  /** Does table `table` have a chain `chain` now? */
  hasChain(table: string, chain: string): boolean {
    return this.tables.get(table)?.chains.has(chain) === true;
  }

  /**
   * Run one command; "fail" when iptables or the kernel would refuse it (reported). `unknowns`:
   * conditions of the rule the command adds that are known only when the script runs (an address
   * from a command substitution), kept beside what it says.
   */
  run(inv: IptInvocation, span: SourceSpan, program: string, unknowns: readonly Condition[] = []): Status {
    this.used = true;
    const error = (pos: Pos, message: string): Status => {
      this.diag("error", pos, message);
      return "fail";
    };
    if (inv.problems.length > 0) {
      for (const p of inv.problems) this.diag("error", p.pos, p.message);
      return "fail";
    }
    const cmd = inv.command;
    if (!cmd) return error(span, `${program}: no command given (expected -A, -I, -D, -R, -N, -P, -F, -X, -E, -Z, -L, -S or -C)`);
    if (!TABLES.has(inv.table)) {
      return error(inv.tablePos ?? cmd.pos, `unknown table '${inv.table}' (expected raw, mangle, nat, filter or security)`);
    }
    const afterCmd: Pos = { line: cmd.pos.line, column: cmd.pos.column + cmd.written.length + 1 };
    const pos = inv.positional;
    const extra = (from: number): Status | undefined => {
      const w = pos[from];
      return w ? error(w, `unexpected '${w.text}' after ${cmd.written} ${pos.slice(0, from).map((p) => p.text).join(" ")}`) : undefined;
    };
    const noOptions = (): Status | undefined => {
      const o = inv.options[0];
      return o ? error(o, `unexpected option ${o.name} with ${cmd.written}`) : undefined;
    };
    const number = (w: WordNode, what: string): number | undefined => {
      if (!/^[0-9]+$/.test(w.text) || Number(w.text) < 1) {
        error(w, `expected a rule number (1 or more) ${what}, found '${w.text}'`);
        return undefined;
      }
      return Number(w.text);
    };

    if (cmd.name === "help" || cmd.name === "version") return "ok";
    const t = this.table(inv.table, span);
    const existing = (w: WordNode | undefined, optional = false): ChainState | null | undefined => {
      if (!w) {
        if (!optional) error(afterCmd, `expected a chain name after ${cmd.written}`);
        return optional ? null : undefined;
      }
      const c = t.chains.get(w.text);
      if (!c) error(w, `chain ${w.text} does not exist in table ${t.name}${TABLES.get(t.name)!.includes(w.text.toUpperCase()) && w.text !== w.text.toUpperCase() ? ` (chain names are case-sensitive: ${w.text.toUpperCase()})` : " (create it first with -N)"}`);
      return c;
    };

    switch (cmd.name) {
      case "list":
      case "list-rules":
      case "zero": {
        const c = existing(pos[0], true);
        if (c === undefined) return "fail";
        if (pos[1] && c && number(pos[1], `after ${cmd.written} ${c.name}`) === undefined) return "fail";
        return extra(2) ?? "ok";
      }
      case "append":
      case "insert":
      case "check":
      case "delete":
      case "replace": {
        if (cmd.name === "append" || cmd.name === "insert" || cmd.name === "replace") this.ruleCount++;
        const chain = existing(pos[0]);
        if (!chain) return "fail";
        let index: number | undefined;
        if (pos[1]) {
          if (cmd.name === "append" || cmd.name === "check") return extra(1)!;
          index = number(pos[1], `after ${cmd.written} ${chain.name}`);
          if (index === undefined) return "fail";
          const more = extra(2);
          if (more) return more;
        }
        if (cmd.name === "replace" && index === undefined) return error(afterCmd, `expected a chain and a rule number after ${cmd.written} (e.g. -R INPUT 2 ...)`);
        if (cmd.name === "delete" && index !== undefined) {
          if (inv.options.length > 0) return error(inv.options[0]!, `${cmd.written} takes a rule number or a rule, not both`);
          if (index > chain.rules.length) return error(pos[1]!, `cannot delete rule ${index}: chain ${chain.name} has ${chain.rules.length} rule(s)`);
          chain.rules.splice(index - 1, 1);
          return "ok";
        }
        const draft = buildRule(inv.options, { family: this.family, table: t.name, chain: chain.name, chainIsBuiltin: chain.builtin, diag: this.diag, ...(this.ipsets ? { ipsets: this.ipsets } : {}) });
        if (!draft) return "fail";
        if (this.resolveTarget(t, draft) === "fail") return "fail";
        const rules: PendingRule[] = draft.variants.map((known) => {
          const conditions = unknowns.length > 0 ? [...known, ...unknowns] : known;
          return {
            span,
            conditions,
            target: draft.target,
            ...(draft.comment !== undefined ? { comment: draft.comment } : {}),
            ...(draft.recent ? { recent: draft.recent } : {}),
            key: ruleKey(conditions, draft.target, draft.comment),
          };
        });
        if (cmd.name === "check" || cmd.name === "delete") {
          const remaining = [...chain.rules];
          for (const r of rules) {
            const at = remaining.findIndex((x) => x.key === r.key);
            if (at === -1) {
              if (cmd.name === "delete") {
                this.diag("warning", cmd.pos, `${cmd.written}: no rule of chain ${chain.name} matches this one, so iptables fails here ("Bad rule (does a matching rule exist in that chain?)") and nothing is deleted`);
              }
              return "fail";
            }
            remaining.splice(at, 1);
          }
          if (cmd.name === "delete") chain.rules = remaining;
          return "ok";
        }
        const before = chain.rules;
        if (cmd.name === "append") before.push(...rules);
        else if (cmd.name === "insert") {
          const at = index ?? 1;
          if (at - 1 > before.length) return error(pos[1]!, `cannot insert at position ${at}: chain ${chain.name} has ${before.length} rule(s)`);
          // iptables inserts each expanded rule at the same position, so their order reverses
          const next = [...before];
          for (const r of rules) next.splice(at - 1, 0, r);
          chain.rules = next;
        } else {
          if (rules.length !== 1) return error(cmd.pos, `${cmd.written}: several source or destination addresses are not allowed when replacing a rule`);
          if (index! > before.length) return error(pos[1]!, `cannot replace rule ${index}: chain ${chain.name} has ${before.length} rule(s)`);
          const next = [...before];
          next[index! - 1] = rules[0]!;
          chain.rules = next;
        }
        const ref = draft.target;
        if (ref.kind === "chain" && this.reaches(t, ref.name, chain.name)) {
          // refused: back to the rules before this command
          if (cmd.name === "append") before.length -= rules.length;
          chain.rules = before;
          return error(ref.pos, `chain loop: ${chain.name} ${ref.goto ? "goes to" : "jumps to"} ${ref.name}, which leads back to ${chain.name} (the kernel refuses loops)`);
        }
        return "ok";
      }
      case "new-chain": {
        const w = pos[0];
        if (!w) return error(afterCmd, `expected a chain name after ${cmd.written}`);
        const bad = extra(1) ?? noOptions();
        if (bad) return bad;
        if (t.chains.has(w.text)) return error(w, `chain ${w.text} already exists in table ${t.name}`);
        const problem = chainNameProblem(w.text);
        if (problem) return error(w, problem);
        t.chains.set(w.text, { name: w.text, builtin: false, span, rules: [] });
        return "ok";
      }
      case "policy": {
        const [w, pol] = pos;
        if (!w || !pol) return error(afterCmd, `expected a chain and a policy after ${cmd.written} (e.g. -P INPUT DROP)`);
        const bad = extra(2) ?? noOptions();
        if (bad) return bad;
        const chain = t.chains.get(w.text);
        if (!chain?.builtin) return error(w, `${w.text} is not a built-in chain of table ${t.name}: only built-in chains have a policy`);
        const p = POLICIES[pol.text];
        if (!p) return error(pol, `expected ACCEPT or DROP as the policy of ${w.text}, found '${pol.text}'`);
        chain.policy = p;
        chain.policySpan = span;
        return "ok";
      }
      case "flush": {
        const bad = extra(1) ?? noOptions();
        if (bad) return bad;
        const c = existing(pos[0], true);
        if (c === undefined) return "fail";
        for (const ch of c ? [c] : t.chains.values()) ch.rules = [];
        return "ok";
      }
      case "delete-chain": {
        const bad = extra(1) ?? noOptions();
        if (bad) return bad;
        const c = existing(pos[0], true);
        if (c === undefined) return "fail";
        if (c?.builtin) return error(pos[0]!, `${c.name} is a built-in chain: it cannot be deleted`);
        const victims = c ? [c] : [...t.chains.values()].filter((ch) => !ch.builtin);
        for (const v of victims) {
          // iptables refuses the whole command when one chain cannot go
          if (v.rules.length > 0) {
            return error(pos[0] ?? cmd.pos, `cannot delete chain ${v.name}: it still has ${v.rules.length} rule(s) (flush it first with -F ${v.name})`);
          }
          const refs = this.references(t, v.name);
          if (refs > 0) return error(pos[0] ?? cmd.pos, `cannot delete chain ${v.name}: ${refs} rule(s) still jump to it`);
        }
        for (const v of victims) t.chains.delete(v.name);
        return "ok";
      }
      case "rename-chain": {
        const c = existing(pos[0]);
        if (!c) return "fail";
        const to = pos[1];
        if (!to) return error(afterCmd, `expected the old and the new chain name after ${cmd.written}`);
        const bad = extra(2) ?? noOptions();
        if (bad) return bad;
        if (c.builtin) return error(pos[0]!, `${c.name} is a built-in chain: it cannot be renamed`);
        if (t.chains.has(to.text)) return error(to, `chain ${to.text} already exists in table ${t.name}`);
        const problem = chainNameProblem(to.text);
        if (problem) return error(to, problem);
        const old = c.name;
        const chains = new Map<string, ChainState>();
        for (const [k, v] of t.chains) {
          if (k === old) {
            v.name = to.text;
            chains.set(to.text, v);
          } else chains.set(k, v);
        }
        t.chains = chains;
        for (const ch of t.chains.values()) {
          ch.rules = ch.rules.map((r) => {
            if (r.target.kind !== "chain" || r.target.name !== old) return r;
            const target: TargetRef = { ...r.target, name: to.text };
            return { ...r, target, key: ruleKey(r.conditions, target, r.comment) };
          });
        }
        return "ok";
      }
    }
  }

  /** A jump/goto target must be a user chain that exists now (iptables checks when the command runs). */
  private resolveTarget(t: TableState, draft: RuleDraft): Status {
    const ref = draft.target;
    if (ref.kind !== "chain") return "ok";
    const flag = ref.goto ? "-g" : "-j";
    if ((TABLES.get(t.name) ?? []).includes(ref.name)) {
      this.diag("error", ref.pos, `${flag} ${ref.name}: a rule cannot ${ref.goto ? "go to" : "jump to"} a built-in chain`);
      return "fail";
    }
    if (!t.chains.has(ref.name)) {
      this.diag(
        "error",
        ref.pos,
        ref.goto
          ? `-g ${ref.name}: no chain ${ref.name} in table ${t.name} (yet: create it with -N before the rules that use it)`
          : `-j ${ref.name}: neither a target of iptables nor a chain of table ${t.name}${TARGETS.has(ref.name.toUpperCase()) ? ` (did you mean ${ref.name.toUpperCase()}?)` : " (create the chain with -N before the rules that use it)"}`,
      );
      return "fail";
    }
    return "ok";
  }

  private references(t: TableState, name: string): number {
    let n = 0;
    for (const c of t.chains.values()) for (const r of c.rules) if (r.target.kind === "chain" && r.target.name === name) n++;
    return n;
  }

  /** Does chain `from` lead (by jumps and gotos) to chain `to`? */
  private reaches(t: TableState, from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (name === to) return true;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const r of t.chains.get(name)?.rules ?? []) if (r.target.kind === "chain") stack.push(r.target.name);
    }
    return false;
  }

  /**
   * The model's chains. `prefix` qualifies the table names (both families in one ruleset);
   * `familyCondition` adds the family to every rule so a rule never matches the other family.
   */
  chains(prefix = "", familyCondition = false): Map<string, Chain> {
    const out = new Map<string, Chain>();
    const decide = recentListsFilledOutside([...this.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.flatMap((r) => r.recent ?? []))));
    for (const t of this.tables.values()) {
      const table = prefix + t.name;
      for (const c of t.chains.values()) {
        const rules: Rule[] = c.rules.map((p, i) => ({
          id: `${table}/${c.name}#${i + 1}`,
          conditions: familyCondition ? [{ kind: "family", family: this.family }, ...decide(p.conditions)] : decide(p.conditions),
          action: actionOf(p.target),
          span: p.span,
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
        }));
        const chain: Chain = { name: c.name, table, rules, span: c.span };
        if (c.builtin) {
          chain.policy = c.policy ?? "accept";
          chain.policySpan = c.policySpan ?? c.span;
        }
        out.set(chainKey(table, c.name), chain);
      }
    }
    return out;
  }
}

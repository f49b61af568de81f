/**
 * AST -> model: tables, chains (declaration, policy, -N/-P/-F/-X), rules with -A/-I ordering,
 * target resolution against the chains of the table, and the pipelines of the file's family.
 */
import { toolChain } from "../tool-chains.js";
import type { IpsetIndex } from "../ipset/match.js";
import {
  chainKey,
  type Chain,
  type Diagnostic,
  type DiagnosticSeverity,
  type Family,
  type Pipeline,
  type PipelineKind,
  type Rule,
  type Ruleset,
  type SourceSpan,
  type Stage,
} from "../../src/model/types.js";
import type { CommandLine, LineNode, Pos } from "./ast.js";
import { TABLES, TARGETS } from "./modules.js";
import { buildRule, chainNameProblem, type TargetRef } from "./rule.js";
import { recentListsFilledOutside, type RecentUse } from "./ordinary.js";
import { nameTable } from "../../src/model/name-table.js";

interface PendingRule {
  span: SourceSpan;
  conditions: Rule["conditions"];
  target: TargetRef;
  comment?: string;
}

interface ChainState {
  name: string;
  builtin: boolean;
  policy?: "accept" | "drop";
  policySpan?: SourceSpan;
  span: SourceSpan;
  rules: PendingRule[];
  /** Line of the declaration (`:X` or -N), for "used before declared". */
  declaredAt: number;
}

interface TableState {
  name: string;
  span: SourceSpan;
  chains: Map<string, ChainState>;
  /** Unknown table: its lines are skipped. */
  skip: boolean;
}

const POLICIES: Readonly<Record<string, "accept" | "drop">> = nameTable({ ACCEPT: "accept", DROP: "drop" });

/**
 * `diagnostics` is shared with the line reader (`nodes` may be a lazy generator that adds its
 * syntax errors to it), so diagnostics come out in line order.
 */
export function mapToRuleset(nodes: Iterable<LineNode>, file: string, family: Family, format: string, diagnostics: Diagnostic[], ipsets?: IpsetIndex): Ruleset {
  /** `unresolved`: the error names what the file does not define (see Diagnostic). */
  const diag = (severity: DiagnosticSeverity, pos: Pos, message: string, unresolved?: boolean) =>
    diagnostics.push({ severity, message, file, line: pos.line, column: pos.column, ...(unresolved ? { unresolved: true as const } : {}) });
  const span = (n: Pos & { text: string }): SourceSpan => ({ file, line: n.line, column: n.column, text: n.text });

  const done = new Map<string, TableState>();
  let current: TableState | null = null;
  let ruleCount = 0;

  const builtinsOf = (t: TableState) => TABLES.get(t.name) ?? [];

  /** The chain, creating a built-in one on first use (the kernel always has them). */
  const chainOf = (t: TableState, name: string, at: Pos & { text: string }): ChainState | undefined => {
    const c = t.chains.get(name);
    if (c) return c;
    if (builtinsOf(t).includes(name)) {
      const created: ChainState = { name, builtin: true, policy: "accept", policySpan: t.span, span: t.span, rules: [], declaredAt: at.line };
      t.chains.set(name, created);
      return created;
    }
    return undefined;
  };

  const finish = (t: TableState) => {
    if (t.skip) return;
    resolveTable(t, diag);
    if (done.has(t.name)) {
      diag("warning", t.span, `table ${t.name} appears again: iptables-restore replaces the earlier *${t.name} block with this one`);
    }
    done.set(t.name, t);
  };

  /** Every rule's `-m recent` matches, to tell the lists no rule fills (recentListsFilledOutside). */
  const recentUses: RecentUse[] = [];

  let lastLine = 1;
  for (const node of nodes) {
    lastLine = node.line;
    switch (node.kind) {
      case "table": {
        if (current) {
          diag("error", node, `COMMIT expected before *${node.name}: table ${current.name} is not committed`);
          finish(current);
        }
        // (iptables-restore reads the table's name and ignores the rest of the line)
        for (const w of node.extra) diag("warning", w, `unexpected '${w.text}' after *${node.name} (ignored)`);
        const known = TABLES.has(node.name);
        if (!known) {
          diag(
            "error",
            node,
            node.name === ""
              ? "expected a table name after '*'"
              : `unknown table '${node.name}' (expected raw, mangle, nat, filter or security); its chains and rules are skipped`,
          );
        }
        current = { name: node.name, span: span(node), chains: new Map(), skip: !known };
        break;
      }
      case "chain": {
        if (!current) {
          diag("error", node, `chain declaration :${node.name} outside a table (a *table line is missing)`);
          break;
        }
        if (current.skip) break;
        declareChain(current, node, diag, span(node));
        break;
      }
      case "commit": {
        for (const w of node.extra) diag("error", w, `unexpected '${w.text}' after COMMIT`);
        if (!current) {
          diag("error", node, "COMMIT without a table (a *table line is missing)");
          break;
        }
        finish(current);
        current = null;
        break;
      }
      case "command": {
        if (node.command === "append" || node.command === "insert") ruleCount++;
        if (!current) {
          diag("error", node, `${node.commandText} outside a table (a *table line is missing)`);
          break;
        }
        if (current.skip) break;
        command(current, node);
        break;
      }
    }
  }
  if (current) {
    const t: TableState = current;
    diag("error", { line: lastLine, column: 1 }, `COMMIT expected at the end of the file: table ${t.name} is not committed`);
    finish(t);
  }

  function command(t: TableState, node: CommandLine): void {
    const pos0 = node.positional[0];
    switch (node.command) {
      case "append":
      case "insert": {
        if (!pos0) {
          diag("error", { line: node.line, column: node.column + node.commandText.length + 1 }, `expected a chain name after ${node.commandText}`);
          return;
        }
        let index: number | undefined;
        if (node.command === "insert") {
          index = 1;
          const num = node.positional[1];
          if (num) {
            if (!/^[0-9]+$/.test(num.text) || Number(num.text) < 1) {
              diag("error", num, `expected a rule number (1 or more) after ${node.commandText} ${pos0.text}, found '${num.text}'`);
              return;
            }
            index = Number(num.text);
          }
          for (const w of node.positional.slice(2)) {
            diag("error", w, `unexpected '${w.text}' after ${node.commandText} ${pos0.text}`);
            return;
          }
        } else {
          for (const w of node.positional.slice(1)) {
            diag("error", w, `unexpected '${w.text}' after ${node.commandText} ${pos0.text}`);
            return;
          }
        }
        const chain = chainOf(t, pos0.text, node);
        if (!chain) {
          diag("error", pos0, `chain ${pos0.text} does not exist in table ${t.name} (declare it with :${pos0.text} - [0:0])`, true);
          return;
        }
        const draft = buildRule(node.options, {
          family,
          table: t.name,
          chain: chain.name,
          chainIsBuiltin: chain.builtin,
          diag,
          ...(ipsets ? { ipsets } : {}),
        });
        if (!draft) return;
        if (draft.recent) recentUses.push(...draft.recent);
        const pending: PendingRule[] = draft.variants.map((conditions) => ({
          span: span(node),
          conditions,
          target: draft.target,
          ...(draft.comment !== undefined ? { comment: draft.comment } : {}),
        }));
        if (index === undefined) chain.rules.push(...pending);
        else {
          if (index - 1 > chain.rules.length) {
            diag("error", node.positional[1] ?? node, `cannot insert at position ${index}: chain ${chain.name} has ${chain.rules.length} rule(s)`);
            return;
          }
          // iptables inserts each expanded rule at the same position, so their order reverses
          for (const p of pending) chain.rules.splice(index - 1, 0, p);
        }
        return;
      }
      case "new-chain": {
        if (!pos0) {
          diag("error", { line: node.line, column: node.column + node.commandText.length + 1 }, `expected a chain name after ${node.commandText}`);
          return;
        }
        for (const w of node.positional.slice(1)) diag("error", w, `unexpected '${w.text}' after ${node.commandText} ${pos0.text}`);
        if (node.options.length > 0) diag("error", node.options[0]!, `unexpected option ${node.options[0]!.name} after ${node.commandText}`);
        if (t.chains.has(pos0.text) || builtinsOf(t).includes(pos0.text)) {
          diag("error", pos0, `chain ${pos0.text} already exists in table ${t.name}`);
          return;
        }
        const problem = chainNameProblem(pos0.text);
        if (problem) {
          diag("error", pos0, problem);
          return;
        }
        t.chains.set(pos0.text, { name: pos0.text, builtin: false, span: span(node), rules: [], declaredAt: node.line });
        return;
      }
      case "policy": {
        const pol = node.positional[1];
        if (!pos0 || !pol) {
          diag("error", { line: node.line, column: node.column + node.commandText.length + 1 }, `expected a chain and a policy after ${node.commandText} (e.g. -P INPUT DROP)`);
          return;
        }
        const chain = builtinsOf(t).includes(pos0.text) ? chainOf(t, pos0.text, node) : undefined;
        if (!chain) {
          diag("error", pos0, `${pos0.text} is not a built-in chain of table ${t.name}: only built-in chains have a policy`);
          return;
        }
        const p = POLICIES[pol.text];
        if (!p) {
          diag("error", pol, `expected ACCEPT or DROP as the policy of ${pos0.text}, found '${pol.text}'`);
          return;
        }
        chain.policy = p;
        chain.policySpan = span(node);
        return;
      }
      case "other": {
        const c = node.commandText;
        if (c === "-F" || c === "--flush") {
          if (pos0) {
            const ch = t.chains.get(pos0.text);
            if (!ch) diag("error", pos0, `chain ${pos0.text} does not exist in table ${t.name}`, true);
            else ch.rules = [];
          } else for (const ch of t.chains.values()) ch.rules = [];
          return;
        }
        if (c === "-X" || c === "--delete-chain") {
          const victims = pos0 ? [pos0.text] : [...t.chains.values()].filter((ch) => !ch.builtin).map((ch) => ch.name);
          for (const v of victims) {
            const ch = t.chains.get(v);
            if (!ch || ch.builtin) {
              diag("error", pos0 ?? node, `${v} is not a user-defined chain of table ${t.name}`);
              continue;
            }
            t.chains.delete(v);
          }
          return;
        }
        if (c === "-Z" || c === "--zero") return;
        diag("error", node, `command ${c} is not supported in a ruleset file (fwlint reads -A, -I, -N, -P, -F, -X and -Z)`);
        return;
      }
    }
  }

  // ---- assemble the model ----
  const decide = recentListsFilledOutside(recentUses);
  const chains = new Map<string, Chain>();
  for (const t of done.values()) {
    for (const c of t.chains.values()) {
      const rules: Rule[] = c.rules.map((p, i) => ({
        id: `${t.name}/${c.name}#${i + 1}`,
        conditions: decide(p.conditions),
        action: actionOf(p.target),
        ...(p.target.kind === "action" && p.target.setMark !== undefined ? { setMark: p.target.setMark } : {}),
        span: p.span,
        ...(p.comment !== undefined ? { comment: p.comment } : {}),
      }));
      const chain: Chain = { name: c.name, table: t.name, rules, span: c.span, ...(!c.builtin && toolChain(c.name) ? { implied: true as const } : {}) };
      if (c.builtin) {
        chain.policy = c.policy ?? "accept";
        chain.policySpan = c.policySpan ?? c.span;
      }
      chains.set(chainKey(t.name, c.name), chain);
    }
  }

  // Checks made when a table is committed report late; keep the list in source order.
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    format,
    file,
    families: [family],
    chains,
    pipelines: buildPipelines(family, chains),
    diagnostics,
    ruleCount,
  };
}

function declareChain(
  t: TableState,
  node: { name: string; args: { text: string; line: number; column: number }[]; line: number; column: number },
  diag: (s: DiagnosticSeverity, p: Pos, m: string) => void,
  sp: SourceSpan,
): void {
  const [pol, counters, ...extra] = node.args;
  if (!pol) {
    diag("error", { line: node.line, column: node.column + node.name.length + 2 }, `expected a policy (ACCEPT, DROP or -) after :${node.name}`);
    return;
  }
  // iptables-restore reads the counters only with -c, and ignores whatever follows them.
  if (counters && !/^\[[0-9]+:[0-9]+\]$/.test(counters.text)) {
    diag("warning", counters, `expected counters [packets:bytes] after :${node.name} ${pol.text}, found '${counters.text}' (iptables-restore ignores it unless run with -c)`);
  }
  if (extra.length > 0) {
    diag("warning", extra[0]!, `unexpected '${extra[0]!.text}' after the declaration of chain ${node.name} (ignored)`);
  }
  const builtin = (TABLES.get(t.name) ?? []).includes(node.name);
  const existing = t.chains.get(node.name);
  if (builtin) {
    if (pol.text !== "-" && !POLICIES[pol.text]) {
      diag("error", pol, `expected ACCEPT, DROP or - as the policy of ${node.name}, found '${pol.text}'`);
      return;
    }
    const c: ChainState = existing ?? { name: node.name, builtin: true, span: sp, rules: [], declaredAt: node.line };
    c.span = sp;
    if (pol.text !== "-") {
      c.policy = POLICIES[pol.text]!;
      c.policySpan = sp;
    } else if (c.policy === undefined) {
      c.policy = "accept";
      c.policySpan = sp;
    }
    t.chains.set(node.name, c);
    return;
  }
  const problem = chainNameProblem(node.name);
  if (problem) {
    diag("error", node, problem);
    return;
  }
  if (pol.text !== "-") {
    diag("warning", pol, `user-defined chain ${node.name} cannot have a policy ('${pol.text}' is ignored; write -)`);
  }
  if (existing) {
    diag("warning", node, `chain ${node.name} is declared twice in table ${t.name}`);
    return;
  }
  t.chains.set(node.name, { name: node.name, builtin: false, span: sp, rules: [], declaredAt: node.line });
}

/** Check jump/goto targets against the table's chains, and loops reachable from built-in chains. */
function resolveTable(t: TableState, diag: (s: DiagnosticSeverity, p: Pos, m: string, unresolved?: boolean) => void): void {
  const builtins = TABLES.get(t.name) ?? [];
  for (const c of t.chains.values()) {
    c.rules = c.rules.filter((r) => {
      if (r.target.kind !== "chain") return true;
      const ref = r.target;
      const flag = ref.goto ? "-g" : "-j";
      const target = t.chains.get(ref.name);
      if (builtins.includes(ref.name)) {
        diag("error", ref.pos, `${flag} ${ref.name}: a rule cannot ${ref.goto ? "go to" : "jump to"} a built-in chain`);
        return false;
      }
      if (!target) {
        diag(
          "error",
          ref.pos,
          ref.goto
            ? `-g ${ref.name}: no chain ${ref.name} in table ${t.name}`
            : `-j ${ref.name}: neither a target of iptables nor a chain of table ${t.name}${TARGETS.has(ref.name.toUpperCase()) ? ` (did you mean ${ref.name.toUpperCase()}?)` : ""}`,
          true,
        );
        return false;
      }
      if (target.declaredAt > r.span.line) {
        diag("warning", ref.pos, `chain ${ref.name} is used before it is declared (iptables-nft-restore refuses this)`);
      }
      return true;
    });
  }
  // Loops: the kernel refuses a ruleset where a chain reachable from a built-in chain reaches itself.
  const state = new Map<string, 1 | 2>(); // 1 on stack, 2 done
  const reported = new Set<string>();
  const visit = (name: string): void => {
    state.set(name, 1);
    const c = t.chains.get(name)!;
    for (const r of c.rules) {
      if (r.target.kind !== "chain") continue;
      const next = r.target.name;
      const s = state.get(next);
      if (s === 1) {
        const key = `${name}->${next}`;
        if (!reported.has(key)) {
          reported.add(key);
          diag("error", r.target.pos, `chain loop: ${name} ${r.target.goto ? "goes to" : "jumps to"} ${next}, which leads back to ${name} (the kernel refuses loops)`);
        }
      } else if (s === undefined && t.chains.has(next)) visit(next);
    }
    state.set(name, 2);
  };
  for (const c of t.chains.values()) if (c.builtin) visit(c.name);
}

export function actionOf(target: TargetRef): Rule["action"] {
  switch (target.kind) {
    case "none":
      return { kind: "continue", target: "" };
    case "chain":
      return target.goto ? { kind: "goto", chain: target.name } : { kind: "jump", chain: target.name };
    case "action":
      return target.action;
  }
}

const PIPELINES: Record<PipelineKind, Stage[]> = nameTable({
  inbound: [
    { chain: "raw/PREROUTING", role: "raw", beforeRouting: true },
    { chain: "mangle/PREROUTING", role: "mangle", beforeRouting: true },
    { chain: "nat/PREROUTING", role: "dstnat", beforeRouting: true },
    { chain: "mangle/INPUT", role: "mangle" },
    { chain: "filter/INPUT", role: "filter" },
    { chain: "security/INPUT", role: "filter" },
    { chain: "nat/INPUT", role: "srcnat" },
  ],
  forward: [
    { chain: "raw/PREROUTING", role: "raw", beforeRouting: true },
    { chain: "mangle/PREROUTING", role: "mangle", beforeRouting: true },
    { chain: "nat/PREROUTING", role: "dstnat", beforeRouting: true },
    { chain: "mangle/FORWARD", role: "mangle" },
    { chain: "filter/FORWARD", role: "filter" },
    { chain: "security/FORWARD", role: "filter" },
    { chain: "mangle/POSTROUTING", role: "mangle" },
    { chain: "nat/POSTROUTING", role: "srcnat" },
  ],
  outbound: [
    { chain: "raw/OUTPUT", role: "raw" },
    { chain: "mangle/OUTPUT", role: "mangle" },
    { chain: "nat/OUTPUT", role: "dstnat" },
    { chain: "filter/OUTPUT", role: "filter" },
    { chain: "security/OUTPUT", role: "filter" },
    { chain: "mangle/POSTROUTING", role: "mangle" },
    { chain: "nat/POSTROUTING", role: "srcnat" },
  ],
});

export function buildPipelines(family: Family, chains: ReadonlyMap<string, Chain>): Pipeline[] {
  return (["inbound", "forward", "outbound"] as const).map((kind) => ({
    kind,
    family,
    stages: PIPELINES[kind].filter((s) => chains.has(s.chain)).map((s) => ({ ...s })),
  }));
}

/**
 * The nftables syntax tree (ast.ts) -> the common model.
 *
 * First the commands run in order, as nft runs them: tables, chains and sets declared again are
 * merged; rules are added, inserted, replaced and deleted by handle or index; flush and delete
 * empty or remove what they name; elements are added to and deleted from sets. Then the final
 * state is mapped: ip/ip6/inet tables for their families, netdev ingress/egress chains as the first
 * (last) stage of the paths their devices see; arp and bridge tables are parsed but not analysed,
 * and so are dormant tables (`flags dormant`: the kernel runs none of their chains). Base chains on
 * one hook run in priority order, and at one priority the one made last first. Every match becomes
 * a model condition; what the model cannot say becomes an Unknown condition with the source text,
 * never dropped.
 *
 * Set membership stays one condition with many ranges (linear in the set's size); verdict maps and
 * NAT data maps become one rule per element (their keys are disjoint: exact-key lookups, and nft
 * refuses overlapping intervals in a map), and so does a match on the original conntrack tuple,
 * one rule per conntrack state that decides whether it is the packet's own (see originalDirection).
 */
import { generatedInterfaceSide } from "./generated-zones.js";
import { toolChain, toolTable } from "../tool-chains.js";
import { familyMax, hostNameLookup, looksLikeHostname, maskRanges, maskToPrefix, octalReading, parseCInt, parseInetAton, parseIP, parseIPv4Strict, parseIPv6, isPrefixRange, prefixRange } from "../../src/model/address.js";
import { protocolNumber, servicePort } from "../../src/model/names.js";
import type {
  Action,
  AddrRange,
  Chain,
  Condition,
  CtState,
  Diagnostic,
  Family,
  MarkRewrite,
  NatRewrite,
  Pipeline,
  PipelineKind,
  PortRange,
  Rule,
  Ruleset,
  SourceSpan,
  Stage,
} from "../../src/model/types.js";
import type { BaseChainSpec, ChainPolicy, Command, EffectStmt, Expr, MatchOp, NatStmt, NftDocument, NftFamily, ObjectType, RuleNode, SetDefinition, SetElement, Stmt, TableRef, Verdict } from "./ast.js";
import { CHAIN_TYPES, OBJECT_TYPES } from "./ast.js";
import { assignedObjectType } from "./objects.js";
import { CT_STATES, placeRef } from "../../src/model/types.js";
import { CONNECTED_STATES, stateHolds } from "../../src/model/conditions.js";
// `xt target NAME` is an iptables target: read as iptables-save input reads it.
import { TARGETS } from "../iptables/modules.js";
import { ICMP_NFT, ICMPV6_NFT } from "./icmp.js";
import { coversRange, elementRange, generatorRange, isGenerator } from "./generators.js";
import { ordinaryValue, sentAmount, writtenBySender } from "./ordinary.js";
import { elementConflicts, type ElementBoxes, type ElementConflict } from "./element-overlaps.js";
import { exprText } from "./expr-text.js";
import { ELEMENT_STATEMENTS, isBitmaskKey, listDefineError, readsExtensionHeader, readsTcpOptionField } from "./vocabulary.js";
import { subExpressions } from "./expr-walk.js";
import { NAT_PORT_NEEDS_TRANSPORT, ProtocolContext, ruleRefusal } from "./protocol-context.js";
import { jumpRefusals } from "./jump-graph.js";
import { keywordAsValue, keywordConstant, keywordValueError } from "./keywords.js";
import { scannedAsNumber } from "./option-grammar.js";
import { FIB_ADDR_TYPE, fibAddrType, ICMP_CODES, ICMPV6_CODES, IFACE_TYPE, INTEGER_KEYS, NAMED_INTEGER_KEYS, networkProtocol, NFT_NUMBER, nftInteger, nftNumber as num, symbolError, SYMBOL_KEYS, takesSymbol, unknownDatatype, type SymbolType } from "./datatypes.js";
import { type AddedSince, addedSince, outsideFilledMatch, splitRule } from "../outside-filled.js";
import { type BanFill, banLists } from "./ban-sets.js";
import { nameTable } from "../../src/model/name-table.js";

// ---------------------------------------------------------------------------------------------
// Executing the commands

interface RuleEntry {
  node: RuleNode;
  handle: number;
}

interface ChainState {
  name: string;
  base?: BaseChainSpec;
  policy?: ChainPolicy;
  rules: RuleEntry[];
  span: SourceSpan;
  order: number;
  /** Made by this file without a hook in a table it knows whole (TableState.known): a regular chain on every host. */
  regular?: boolean;
}

interface SetState {
  def: SetDefinition;
  elements: SetElement[];
  /** Why the contents are not constant, if they are not. */
  dynamic?: string;
  /** A rule of the ruleset adds or updates elements (`add @s { ... }`, `update @s { ... }`). */
  filledByRules?: true;
  /** The rules fill it as a ban list, never with a stranger's first connection (see ban-sets.ts). */
  ban?: BanFill;
  /** Converted membership conditions, by the shape of the expression they are matched against. */
  cache: Map<string, Condition[]>;
  /** A rule reads it (its elements are checked there); the others are checked against their declared type. */
  used?: boolean;
  /** Holds the catch-all element `*` (computed when first mapped). */
  catchAll?: boolean;
}

interface TableState {
  ref: TableRef;
  chains: Map<string, ChainState>;
  sets: Map<string, SetState>;
  handles: number;
  span: SourceSpan;
  /** `flags dormant`: the kernel runs none of the table's chains. */
  dormant?: boolean;
  /** Named objects and flowtables declared, as `type name` (see objectKey). */
  objects: Set<string>;
  /**
   * Everything the table holds is in this file, and why: it was made after `flush ruleset` or after
   * this file deleted it, so what the file does not declare in it is missing on every host.
   */
  known?: string;
  /** Chains (`chain NAME`), sets (`set NAME`) and objects (objectKey) this file deleted from the table: gone on every host. */
  deleted?: Set<string>;
}

const objectKey = (type: string, name: string) => `${type} ${name}`;

/** The named sets and maps statements use (`@s` in a match, a verdict or NAT map, `add @s { ... }`), anonymous chains' rules left out. */
function setRefsOf(stmts: readonly Stmt[]): { name: string; span: SourceSpan }[] {
  const out: { name: string; span: SourceSpan }[] = [];
  const walk = (e: Expr | undefined): void => {
    if (!e) return;
    if (e.kind === "setref") out.push({ name: e.name, span: e.span });
    else subExpressions(e).forEach(walk);
  };
  for (const st of stmts) {
    if (st.kind === "match") {
      walk(st.left);
      walk(st.right);
    } else if (st.kind === "vmap") {
      walk(st.key);
      walk(st.map);
    } else if (st.kind === "nat") {
      walk(st.addr);
      walk(st.port);
    } else if (st.kind === "effect") {
      walk(st.assign?.key);
      walk(st.assign?.value);
      walk(st.chooser);
    } else if (st.kind === "setop") {
      out.push({ name: st.set, span: st.span });
      walk(st.elem);
      walk(st.data);
    }
  }
  return out;
}

const tkey = (t: TableRef) => `${t.family} ${t.name}`;

/** Each rule of `nodes`, and of the anonymous chains (`jump { ... }`) in them, a rule before those in it. */
function eachRule(nodes: readonly RuleNode[], fn: (n: RuleNode) => void): void {
  for (const n of nodes) {
    fn(n);
    for (const st of n.stmts) if (st.kind === "verdict" && (st.verdict.kind === "jump" || st.verdict.kind === "goto") && st.verdict.anonymous) eachRule(st.verdict.anonymous, fn);
  }
}

/** Named priorities (nft(8) "PRIORITY"): the bridge family has its own numbers. */
const PRIORITIES: Readonly<Record<string, number>> = nameTable({ raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 });
const BRIDGE_PRIORITIES: Readonly<Record<string, number>> = nameTable({ dstnat: -300, filter: -200, out: 100, srcnat: 300 });
/**
 * The hook a priority name may stand on in nft 1.0.6 (its standard priority table), and the one
 * newer nft takes it on as well (docker's rulesets write `type nat hook output priority dstnat`).
 */
const PRIORITY_HOOK: Readonly<Record<string, { hook: string; newer?: string }>> = nameTable({
  dstnat: { hook: "prerouting", newer: "output" },
  srcnat: { hook: "postrouting", newer: "input" },
});
/** The same for a bridge table's names (nft's bridge priority table; `out` is output's). */
const BRIDGE_PRIORITY_HOOK: Readonly<Record<string, { hook: string; newer?: string }>> = nameTable({ ...PRIORITY_HOOK, out: { hook: "output" } });
/** Conntrack runs at -200: base chains before it (prerouting/output) are where `notrack` works. */
const CONNTRACK_PRIORITY = -200;

/** The hooks each family has (nft(8) "ADDRESS FAMILIES"). */
const HOOKS: Record<NftFamily, string[]> = nameTable({
  ip: ["prerouting", "input", "forward", "output", "postrouting"],
  ip6: ["prerouting", "input", "forward", "output", "postrouting"],
  inet: ["ingress", "prerouting", "input", "forward", "output", "postrouting"],
  bridge: ["prerouting", "input", "forward", "output", "postrouting"],
  arp: ["input", "output"],
  netdev: ["ingress", "egress"],
});

/** Other words are the text reader's to report. */
const ALL_HOOKS: ReadonlySet<string> = new Set(Object.values(HOOKS).flat());

const ANALYSED: Partial<Record<NftFamily, Family[]>> = nameTable({ ip: [4], ip6: [6], inet: [4, 6], netdev: [4, 6] });

/** The elements of an object map whose data names no `type` object table `t` declares, with that name. */
function undeclaredObjects(t: TableState, type: ObjectType, elements: readonly SetElement[]): { e: SetElement; name: string }[] {
  const out: { e: SetElement; name: string }[] = [];
  for (const e of elements) {
    if (e.data?.kind === "value" && !t.objects.has(objectKey(type, e.data.text))) out.push({ e, name: e.data.text });
  }
  return out;
}

class Machine {
  readonly tables = new Map<string, TableState>();
  /** Families whose live tables a `flush ruleset` took away ("*": every family's), with the line that did. */
  private readonly flushedFamilies = new Map<string, SourceSpan>();
  /** Tables this file deleted: none of their chains, sets or objects is left on the host. */
  private readonly deletedTables = new Set<string>();
  /** Sets rules named where they did not exist yet (see namesUsed, setsDeclaredLate). */
  private readonly setsMissing: { table: string; name: string; span: SourceSpan }[] = [];

  /**
   * Rules that name a set the file declares only after them (a later command or table block):
   * nft refuses such a rule ("No such file or directory"). A set never declared is the mapper's
   * to tell (a name the file does not define).
   */
  setsDeclaredLate(): void {
    for (const m of this.setsMissing) {
      const later = this.tables.get(m.table)?.sets.get(m.name);
      if (later) this.diag("error", m.span, `set @${m.name} is declared only after this rule (${later.def.span.file === m.span.file ? `line ${later.def.span.line}` : placeRef(later.def.span)}): nft adds the rule first and refuses it ("Could not process rule: No such file or directory")`);
    }
  }

  /**
   * A map whose data are named objects (`type ipv4_addr : quota`): each element must name one the
   * table declares - nft refuses the elements otherwise ("Could not process rule: No such file or
   * directory"). Checked against the objects the file declares in the end, in any order (nft adds
   * a table block's objects before its sets).
   */
  objectsMapped(): void {
    for (const t of this.tables.values()) {
      for (const st of t.sets.values()) {
        const type = st.def.kind === "map" && st.def.dataType?.length === 1 ? st.def.dataType[0]! : undefined;
        if (type === undefined || !OBJECT_TYPES.has(type)) continue;
        for (const { e, name } of undeclaredObjects(t, type as ObjectType, st.elements)) {
          this.diag("error", e.span, `map ${st.def.name}: element ${exprText(e.key)} names ${type} ${name}, which is not declared in table ${tkey(t.ref)} (nft: "Could not process rule: No such file or directory")`, true);
        }
      }
    }
  }

  private order = 0;
  constructor(private readonly diag: (severity: Diagnostic["severity"], at: SourceSpan, message: string, unresolved?: boolean) => void) {}

  run(cmd: Command): void {
    switch (cmd.object) {
      case "ruleset":
        for (const [k, t] of this.tables) if (cmd.family === undefined || t.ref.family === cmd.family) this.tables.delete(k);
        this.flushedFamilies.set(cmd.family ?? "*", cmd.span);
        return;
      case "table":
        return this.table(cmd);
      case "chain":
        return this.chain(cmd);
      case "rule":
        return this.rule(cmd);
      case "set":
        return this.set(cmd);
      case "element":
        return this.element(cmd);
      case "obj":
        return this.object(cmd);
      case "other":
        return;
    }
  }

  /**
   * Why no table `ref` is on any host when the file gets here (undefined: one may be): the file has
   * none, and its own `delete table` or a `flush ruleset` took away any the host had.
   */
  private goneTable(ref: TableRef): string | undefined {
    const k = tkey(ref);
    if (this.tables.has(k)) return undefined;
    if (this.deletedTables.has(k)) return `this file deleted table ${k} before`;
    const flush = this.flushedFamilies.get("*") ?? this.flushedFamilies.get(ref.family);
    return flush && `'flush ruleset' (line ${flush.line}) took away what the host had`;
  }

  /**
   * Deleting what is not there: certain when the file knows why it is missing (goneTable,
   * TableState.known, deleted) - nft refuses the file -, otherwise only a warning, as the host may have it.
   */
  private deletedMissing(why: string | undefined, at: SourceSpan, what: string): void {
    if (why !== undefined) this.diag("error", at, `${what}: ${why}, so nft refuses the file ("Could not process rule: No such file or directory")`);
    else this.diag("warning", at, `${what} in this file (nft fails unless it exists when the file is loaded)`);
  }

  /** Why `key` (`chain NAME`, `set NAME`, objectKey) is missing from table `t` on every host, if it is. */
  private goneFrom(t: TableState, key: string): string | undefined {
    return t.deleted?.has(key) ? `this file deleted it before` : t.known;
  }

  /** TableState.known for a table made now. */
  private knownWhole(ref: TableRef): string | undefined {
    const why = this.goneTable(ref);
    return why && `${why}, and only what this file declares is in table ${tkey(ref)}`;
  }

  private table(cmd: Extract<Command, { object: "table" }>): void {
    const k = tkey(cmd.table);
    const t = this.tables.get(k);
    switch (cmd.op) {
      case "add":
      case "create": {
        if (t && cmd.op === "create") this.diag("error", cmd.span, `table ${k} already exists (create refuses an existing table; add merges)`);
        const table: TableState = t ?? { ref: cmd.table, chains: new Map(), sets: new Map(), objects: new Set(), handles: 0, span: cmd.span, known: this.knownWhole(cmd.table) };
        if (!t) this.tables.set(k, table);
        // Each declaration sets the flags: one without `flags dormant` wakes the table (nft 1.0.6, kernel 6.x).
        table.dormant = cmd.flags?.includes("dormant") === true;
        if (table.dormant) table.span = cmd.span;
        return;
      }
      case "delete":
      case "destroy":
        if (!t && cmd.op === "delete") this.deletedMissing(this.goneTable(cmd.table), cmd.span, `delete table ${k}: no such table`);
        this.tables.delete(k);
        this.deletedTables.add(k);
        return;
      case "flush":
        if (!t) return this.diag("error", cmd.span, `flush table ${k}: no such table`);
        for (const c of t.chains.values()) c.rules = [];
        return;
    }
  }

  /** The table a command names; nft refuses commands on a missing table (reported, then created so the rest is read). */
  private need(ref: TableRef, span: SourceSpan, what: string): TableState {
    const k = tkey(ref);
    let t = this.tables.get(k);
    if (!t) {
      this.diag("error", span, `${what}: table ${k} does not exist`, true);
      t = { ref, chains: new Map(), sets: new Map(), objects: new Set(), handles: 0, span };
      this.tables.set(k, t);
    }
    return t;
  }

  private chain(cmd: Extract<Command, { object: "chain" }>): void {
    const existing = this.tables.get(tkey(cmd.table));
    if (!existing && (cmd.op === "destroy" || cmd.op === "delete")) {
      if (cmd.op === "delete") this.deletedMissing(this.goneTable(cmd.table), cmd.span, `delete chain ${tkey(cmd.table)} ${cmd.chain}: no such table`);
      return;
    }
    const t = existing ?? this.need(cmd.table, cmd.span, `chain ${cmd.chain}`);
    const c = t.chains.get(cmd.chain);
    switch (cmd.op) {
      case "add":
      case "create": {
        if (c && cmd.op === "create") this.diag("error", cmd.span, `chain ${cmd.chain} already exists in table ${tkey(cmd.table)}`);
        const chain: ChainState = c ?? { name: cmd.chain, rules: [], span: cmd.span, order: this.order++ };
        if (!c) {
          t.handles++;
          t.chains.set(cmd.chain, chain);
          if (t.known !== undefined && !cmd.base) chain.regular = true;
        }
        if (cmd.base) {
          if (chain.base && (chain.base.hook !== cmd.base.hook || chain.base.type !== cmd.base.type)) {
            this.diag("error", cmd.base.span, `chain ${cmd.chain} is already a '${chain.base.type}' chain on hook ${chain.base.hook}; nft refuses to change it`);
          } else if (chain.base && samePriority(chain.base, cmd.base, cmd.table.family) === false) {
            this.diag("error", cmd.base.span, `chain ${cmd.chain} is already on hook ${chain.base.hook} at priority ${priorityText(chain.base)}; nft refuses to move it to priority ${priorityText(cmd.base)} ("Could not process rule: Operation not supported")`);
          } else if (chain.regular) {
            this.diag("error", cmd.base.span, `chain ${cmd.chain} was made a regular chain (${placeRef(chain.span)}); nft refuses to give it a hook afterwards ("Could not process rule: File exists"): declare the hook where the chain is first declared`);
          } else chain.base = cmd.base;
        }
        if (cmd.policy) {
          // (An invalid policy is the reader's error already.)
          if (!chain.base && cmd.policy.verdict !== "invalid") this.diag("error", cmd.policy.span, `chain ${cmd.chain}: a policy is only allowed on base chains (type ... hook ... priority ...)`);
          else if (chain.base) chain.policy = cmd.policy;
        }
        return;
      }
      case "delete":
      case "destroy":
        if (!c) {
          if (cmd.op === "delete") this.deletedMissing(this.goneFrom(t, `chain ${cmd.chain}`), cmd.span, `delete chain: no chain ${cmd.chain} in table ${tkey(cmd.table)}`);
          return;
        }
        // (its rules go with it: the kernel deletes them - nft 1.0.6 on Linux 6.18 loads such a
        // file -; a chain other rules still jump to is refused, "Device or resource busy": told at
        // those jumps, which name a chain no longer there)
        t.chains.delete(cmd.chain);
        (t.deleted ??= new Set()).add(`chain ${cmd.chain}`);
        return;
      case "flush":
        if (!c) return this.diag("error", cmd.span, `flush chain: no chain ${cmd.chain} in table ${tkey(cmd.table)}`, true);
        c.rules = [];
        return;
    }
  }

  private rule(cmd: Extract<Command, { object: "rule" }>): void {
    const t = this.tables.get(tkey(cmd.table));
    const c = t?.chains.get(cmd.chain);
    if (!t || !c) {
      if (cmd.op !== "destroy") this.diag("error", cmd.span, `${cmd.op} rule: no chain ${cmd.chain} in table ${tkey(cmd.table)}`, true);
      return;
    }
    const byHandle = (): number => {
      const i = c.rules.findIndex((r) => r.handle === cmd.handle);
      // (in a table the file knows whole, a chain without rules has no handle to name; where it has
      // rules, their handles are the kernel's to give, which fwlint does not count exactly)
      if (i < 0 && !(cmd.op === "destroy")) this.deletedMissing(c.rules.length === 0 ? t.known : undefined, cmd.span, `${cmd.op} rule: no rule with handle ${cmd.handle} in chain ${cmd.chain}`);
      return i;
    };
    const byIndex = (): number => {
      const i = cmd.index!;
      if (i >= c.rules.length) {
        this.diag("error", cmd.span, `${cmd.op} rule: chain ${cmd.chain} has no rule at index ${i} (it has ${c.rules.length})`);
        return -1;
      }
      return i;
    };
    const entry = (): RuleEntry => {
      const node = cmd.rule!;
      eachRule([node], (n) => this.namesUsed(n, t));
      const handle = node.handle ?? t.handles + 1;
      t.handles = Math.max(t.handles + 1, handle);
      return { node, handle };
    };
    switch (cmd.op) {
      case "add":
      case "insert": {
        if (!cmd.rule) return;
        let at = cmd.op === "add" ? c.rules.length : 0;
        if (cmd.handle !== undefined || cmd.index !== undefined) {
          const i = cmd.handle !== undefined ? byHandle() : byIndex();
          if (i < 0) return;
          // `add` places after the named rule, `insert` before it.
          at = cmd.op === "add" ? i + 1 : i;
        }
        c.rules.splice(at, 0, entry());
        return;
      }
      case "replace": {
        if (!cmd.rule) return;
        const i = cmd.handle !== undefined ? byHandle() : cmd.index !== undefined ? byIndex() : -1;
        if (i < 0) {
          if (cmd.handle === undefined && cmd.index === undefined) this.diag("error", cmd.span, "replace rule: expected 'handle N'");
          return;
        }
        const node = cmd.rule;
        c.rules[i] = { node, handle: c.rules[i]!.handle };
        return;
      }
      case "delete":
      case "destroy": {
        const i = cmd.handle !== undefined ? byHandle() : cmd.index !== undefined ? byIndex() : -1;
        if (i < 0) {
          if (cmd.handle === undefined && cmd.index === undefined) this.diag("error", cmd.span, "delete rule: expected 'handle N'");
          return;
        }
        c.rules.splice(i, 1);
        return;
      }
    }
  }

  private set(cmd: Extract<Command, { object: "set" }>): void {
    const existing = this.tables.get(tkey(cmd.table));
    if (!existing && (cmd.op === "destroy" || cmd.op === "delete" || cmd.op === "flush")) {
      if (cmd.op !== "destroy") this.diag("error", cmd.span, `${cmd.op} set ${cmd.name}: no table ${tkey(cmd.table)}`, true);
      return;
    }
    const t = existing ?? this.need(cmd.table, cmd.span, `set ${cmd.name}`);
    const s = t.sets.get(cmd.name);
    switch (cmd.op) {
      case "add":
      case "create": {
        if (s && cmd.op === "create") this.diag("error", cmd.span, `set ${cmd.name} already exists in table ${tkey(cmd.table)}`);
        if (!cmd.definition) return;
        const stateful = [...ELEMENT_STATEMENTS].filter((k) => cmd.definition!.options[k] !== undefined);
        if (stateful.length > MAX_SET_STATEMENTS) {
          this.diag("error", cmd.definition.span, `${cmd.definition.kind} ${cmd.name} gives its elements ${stateful.length} statements (${stateful.join(", ")}): the kernel takes at most ${MAX_SET_STATEMENTS} (nft: "Could not process rule: Argument list too long")`);
        }
        if (s) {
          const was = typeText(s.def);
          if (typeText(cmd.definition) !== was && cmd.definition.keyType.length + (cmd.definition.keyTypeof?.length ?? 0) > 0) {
            this.diag("error", cmd.definition.span, `${cmd.definition.kind} ${cmd.name} is declared again with another type (${typeText(cmd.definition)}; it is ${was})`);
            return;
          }
          const flags = [kernelSetFlags(s.def), kernelSetFlags(cmd.definition)];
          if (flags[0] !== flags[1]) {
            const text = (f: string) => (f === "" ? "none" : f);
            this.diag("error", cmd.definition.span, `${cmd.definition.kind} ${cmd.name} is declared again with other flags or element statements (${text(flags[1]!)}; ${placeRef(s.def.span)} gave ${text(flags[0]!)}): nft declares a set with all it says each time, and the kernel refuses a change ("Could not process rule: File exists")`);
            return;
          }
          for (const e of cmd.definition.elements) s.elements.push(e);
          s.cache.clear();
          return;
        }
        const bad = unknownDatatype(cmd.definition);
        // (the set is still declared: the rules that use it are read, and not reported again)
        if (bad) this.diag("error", bad.span, `${cmd.definition.kind} ${cmd.name}: unknown data type '${bad.name}' (nft knows ipv4_addr, ipv6_addr, inet_service, ifname, mark, ... and, for map data, verdict)`);
        t.handles++;
        t.sets.set(cmd.name, { def: cmd.definition, elements: [...cmd.definition.elements], cache: new Map() });
        return;
      }
      case "delete":
      case "destroy":
        if (!s && cmd.op === "delete") this.deletedMissing(this.goneFrom(t, `set ${cmd.name}`), cmd.span, `delete set: no set ${cmd.name} in table ${tkey(cmd.table)}`);
        t.sets.delete(cmd.name);
        (t.deleted ??= new Set()).add(`set ${cmd.name}`);
        return;
      case "flush":
        if (!s) return this.diag("error", cmd.span, `flush set: no set ${cmd.name} in table ${tkey(cmd.table)}`, true);
        s.elements = [];
        s.cache.clear();
        return;
    }
  }

  /**
   * The sets and named objects a rule uses must exist when nft adds it: declared by an earlier
   * command or in the rule's own table block (see the text reader's objectsAt). An object that
   * does not is told as an undeclared set is (the file may be loaded beside one that declares
   * it); a set is noted, and told if the file declares it later (setsDeclaredLate).
   */
  private namesUsed(node: RuleNode, t: TableState): void {
    for (const ref of setRefsOf(node.stmts)) if (!t.sets.has(ref.name)) this.setsMissing.push({ table: tkey(t.ref), ...ref });
    for (const s of node.stmts) {
      if (s.kind !== "effect") continue;
      if (s.object && !t.objects.has(objectKey(s.object.type, s.object.name))) {
        this.diag("error", s.span, `${s.object.type} ${s.object.name} is not declared in table ${tkey(t.ref)} (nft: "Could not process rule: No such file or directory")`, true);
      }
      // `quota name ip saddr map { 10.0.0.1 : "q1" }`, `ct helper set ip saddr map { ... }`: each object the map chooses
      const assigned = s.assign ? assignedObjectType(s.assign.key) : undefined;
      const chooser = s.chooser ?? (assigned ? s.assign!.value : undefined);
      const type = s.chooses ?? assigned ?? (OBJECT_TYPES.has(s.name) ? (s.name as ObjectType) : undefined);
      if (chooser?.kind !== "map" || chooser.map.kind !== "set" || type === undefined) continue;
      for (const { e, name } of undeclaredObjects(t, type, chooser.map.elements)) {
        this.diag("error", e.span, `${type} ${name}, which element ${exprText(e.key)} chooses, is not declared in table ${tkey(t.ref)} (nft: "Could not process rule: No such file or directory")`, true);
      }
    }
  }

  private object(cmd: Extract<Command, { object: "obj" }>): void {
    const key = objectKey(cmd.type, cmd.name);
    if (cmd.op === "add" || cmd.op === "create") {
      const t = this.need(cmd.table, cmd.span, `${cmd.type} ${cmd.name}`);
      if (cmd.op === "create" && t.objects.has(key)) this.diag("error", cmd.span, `${cmd.type} ${cmd.name} already exists in table ${tkey(cmd.table)}`);
      t.objects.add(key);
      return;
    }
    const t = this.tables.get(tkey(cmd.table));
    if (cmd.op === "delete" && !t?.objects.has(key)) this.deletedMissing(t ? this.goneFrom(t, key) : this.goneTable(cmd.table), cmd.span, `delete ${cmd.type}: no ${cmd.type} ${cmd.name} in table ${tkey(cmd.table)}`);
    if (t) {
      t.objects.delete(key);
      (t.deleted ??= new Set()).add(key);
    }
  }

  private element(cmd: Extract<Command, { object: "element" }>): void {
    const s = this.tables.get(tkey(cmd.table))?.sets.get(cmd.set);
    if (!s) {
      if (cmd.op !== "destroy") this.diag("error", cmd.span, `${cmd.op} element: no set ${cmd.set} in table ${tkey(cmd.table)}`, true);
      return;
    }
    s.cache.clear();
    if (cmd.op === "add" || cmd.op === "create") {
      for (const e of cmd.elements) s.elements.push(e);
      return;
    }
    const gone = new Set(cmd.elements.map((e) => exprText(e.key)));
    const before = s.elements.length;
    s.elements = s.elements.filter((e) => !gone.has(exprText(e.key)));
    // (an element is told apart by its text: certain only when the set is empty, as the same value may be written another way)
    const known = before === 0 ? this.tables.get(tkey(cmd.table))!.known : undefined;
    if (cmd.op === "delete" && s.elements.length + gone.size > before) this.deletedMissing(known && `${known}, and set ${cmd.set} is empty here`, cmd.span, `delete element: an element is not in set ${cmd.set}`);
  }
}

/**
 * What the kernel keeps of a set's declaration besides its type, as text to compare declarations:
 * its flags (a `timeout` for the set sets the timeout flag) and the statements its elements get.
 * The size, policy, comment and auto-merge may differ (nft 1.0.6: the second declaration loads).
 */
function kernelSetFlags(d: SetDefinition): string {
  const flags = new Set<string>(d.flags.filter((f) => f === "interval" || f === "constant" || f === "dynamic"));
  if (hasTimeouts(d)) flags.add("timeout");
  const statements = [...ELEMENT_STATEMENTS].filter((k) => d.options[k] !== undefined);
  return [...[...flags].sort().map((f) => `flags ${f}`), ...statements.sort()].join(", ");
}

/** Does the set's elements time out: `flags timeout`, or a `timeout` for the set (which sets the flag)? */
function hasTimeouts(d: SetDefinition): boolean {
  return d.flags.includes("timeout") || d.options.timeout !== undefined;
}

/** Whether two base chain declarations give one priority (undefined: a name nft does not know, reported elsewhere). */
function samePriority(a: BaseChainSpec, b: BaseChainSpec, family: NftFamily): boolean | undefined {
  const quiet = () => {};
  const known = (x: BaseChainSpec) => typeof x.priority.base === "number" || namedPriorities(family)[x.priority.base] !== undefined;
  if (!known(a) || !known(b)) return undefined;
  return priorityOf(a, family, quiet) === priorityOf(b, family, quiet);
}

function priorityText(b: BaseChainSpec): string {
  const p = b.priority;
  return p.offset === 0 ? String(p.base) : `${p.base} ${p.offset < 0 ? "-" : "+"} ${Math.abs(p.offset)}`;
}

/** A set's declared key (and data) type, as text to compare declarations. */
function typeText(d: SetDefinition): string {
  const key = d.keyTypeof ? `typeof ${d.keyTypeof.map(exprText).join(" . ")}` : d.keyType.join(" . ");
  const data = d.dataTypeof ? `typeof ${d.dataTypeof.map(exprText).join(" . ")}` : (d.dataType ?? []).join(" . ");
  return data === "" ? key : `${key} : ${data}`;
}

const opText = (op: MatchOp) => (op === "implicit" ? "" : `${op} `);

// ---------------------------------------------------------------------------------------------
// Matches -> conditions

/** What a left-hand expression reads, in model terms. */
type Domain =
  | { d: "addr"; field: "src" | "dst"; family: Family; mask?: bigint }
  | { d: "proto" }
  | { d: "port"; field: "sport" | "dport"; proto: string }
  | { d: "iface"; field: "iif" | "oif"; byName: boolean }
  | { d: "ct" }
  /** `ct status`: of its bits the model knows whether destination NAT rewrote the connection. */
  | { d: "ctstatus" }
  | { d: "icmptype"; family: Family }
  | { d: "icmpcode"; family: Family }
  | { d: "tcpflags"; mask?: number }
  | { d: "nfproto" }
  | { d: "ethertype" }
  | { d: "fibtype" }
  /** `ip frag-off & 0x1fff`: the fragment offset (non-zero for second and later fragments). */
  | { d: "fragoff" }
  /** `ip ttl`, `ip6 hoplimit`. */
  | { d: "ttl" };

interface Left {
  /** Conditions the packet must meet for the field to exist at all (never negated). */
  pre: Condition[];
  dom: Domain;
  /**
   * `ct original ip saddr` / `daddr`: the connection's first packet's address. It is the packet's own
   * only in the original direction: see originalDirection.
   */
  original?: "src" | "dst";
}

const PORT_PROTO: Readonly<Record<string, number | undefined>> = nameTable({ tcp: 6, udp: 17, sctp: 132, dccp: 33, udplite: 136, th: undefined });
const TCP_FLAGS: Readonly<Record<string, number>> = nameTable({ fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ecn: 64, cwr: 128 });
const CT: ReadonlySet<string> = new Set(["new", "established", "related", "invalid", "untracked"]);
/**
 * The ct state bits, as `nft -n` prints them (`ct state 0x2,0x4`): nft describe ct state, and the
 * kernel's NF_CT_STATE_BIT (1 << (ctinfo % IP_CT_IS_REPLY + 1)), INVALID 1, UNTRACKED 1 << 6.
 * A packet has exactly one; other bits match none.
 */
const CT_STATE_BITS: readonly [number, CtState][] = [[1, "invalid"], [2, "established"], [4, "related"], [8, "new"], [64, "untracked"]];
/** The symbol type of a key whose values nft reads as names or numbers (checkSymbols), if it is one. */
function symbolTypeOf(left: Expr): SymbolType | undefined {
  if (left.kind === "fib") return left.result === "type" ? FIB_ADDR_TYPE : undefined;
  const key = keyName(left);
  return key === undefined ? undefined : SYMBOL_KEYS.get(key);
}

/** A match's right side as the values it lists: a set's keys, a list's items, or itself. */
function listedValues(right: Expr): Expr[] {
  return right.kind === "set" ? right.elements.map((e) => e.key) : right.kind === "list" ? right.items : [right];
}

/** A listed value's ends: a range's two, or the value itself. */
function ends(v: Expr): Expr[] {
  return v.kind === "range" ? [v.low, v.high] : [v];
}

/**
 * Throws BadValue at a '-' alone where a value is read (`oifgroup - accept`, `meta mark { 1, - }`):
 * nft's scanner reads it as the dash of a range, not as a word ("syntax error, unexpected -").
 */
function checkLoneDash(right: Expr): void {
  for (const v of listedValues(right)) {
    for (const x of ends(v)) {
      if (x.kind === "value" && !x.quoted && x.text === "-") throw new BadValue(x, `expected a value, found '-' (nft: "syntax error, unexpected -"); a range is written low-high`);
    }
  }
}

/**
 * Throws BadValue at a value nft cannot parse for a key whose values are symbols: a `meta pkttype`
 * ("Could not parse packet type"), `meta iiftype`, `ct status`, `ip dscp`, or any `fib ... type`,
 * such as `fib daddr . iif type` ("Could not parse fib address type"). (`fib daddr type`,
 * modelled, is checked where it is read.)
 */
function checkSymbols(left: Expr, right: Expr): void {
  const type = symbolTypeOf(left);
  if (!type) return;
  for (const v of listedValues(right)) {
    // (a range's ends and a prefix's value are read as values of the type: `meta pkttype 0-2`, `0/1`)
    const leaves = v.kind === "prefix" ? [{ kind: "value" as const, text: v.addr, span: v.span }] : ends(v);
    for (const x of leaves) {
      if (x.kind === "value" && takesSymbol(type, x.text)) continue;
      if (x.kind === "value") throw new BadValue(v, symbolError(type, exprText(left), exprText(v)));
    }
  }
}

/**
 * Throws BadValue at a comma list without braces after a key that is no bitmask (`tcp dport
 * 22,80`, `iifname eth0,eth1`): nft reads such a list as flags, which only a bitmask type has
 * ("Basetype of type internet network service is not bitmask"), and refuses the file.
 */
function checkCommaList(left: Expr, right: Expr): void {
  const listed = right.kind === "list" || (right.kind === "value" && !right.quoted && right.text.includes(","));
  if (!listed || isBitmaskKey(left)) return;
  throw new BadValue(right, `a list after '${exprText(left)}' needs braces: write { ${exprText(right).split(/\s*,\s*/).join(", ")} } (nft reads 'a,b' without them only as flags - ct state, ct status, tcp flags - and refuses the file: "not bitmask")`);
}

/**
 * The nft data type a key is read as, for the types a set lookup cannot mix up: nft refuses
 * `ip6 saddr @v4set` or `tcp dport @addresses` ("datatype mismatch"). Undefined for the others.
 */
function keyDatatype(e: Expr): string | undefined {
  if (e.kind === "binop") return e.op === "&" ? keyDatatype(e.left) : undefined;
  if (e.kind === "payload") {
    const { protocol: p, field: f } = e;
    if (f === "saddr" || f === "daddr") return p === "ip" ? "ipv4_addr" : p === "ip6" ? "ipv6_addr" : p === "ether" ? "ether_addr" : undefined;
    if (f === "sport" || f === "dport") return p in PORT_PROTO || p === "th" ? "inet_service" : undefined;
    if ((p === "ip" && f === "protocol") || (p === "ip6" && f === "nexthdr")) return "inet_proto";
    if (f === "type" && (p === "icmp" || p === "icmpv6")) return p === "icmp" ? "icmp_type" : "icmpv6_type";
    return undefined;
  }
  if (e.kind === "meta") {
    const k = e.key;
    if (k === "iifname" || k === "oifname") return "ifname";
    if (k === "iif" || k === "oif") return "iface_index";
    if (k === "l4proto") return "inet_proto";
    if (k === "mark") return "mark";
    return undefined;
  }
  if (e.kind === "ct") {
    if (e.direction === undefined) return e.key === "state" ? "ct_state" : e.key === "mark" ? "mark" : undefined;
    if (e.key === "saddr" || e.key === "daddr") return e.family === "ip" ? "ipv4_addr" : e.family === "ip6" ? "ipv6_addr" : undefined;
    if (e.key === "proto-src" || e.key === "proto-dst") return "inet_service";
  }
  return undefined;
}

/** How many statements (ELEMENT_STATEMENTS) the kernel takes on one set or set statement (its NFT_SET_EXPR_MAX). */
const MAX_SET_STATEMENTS = 2;

/** Keys whose values are strings to nft's reader: an address (or a host name), an interface name. */
const STRING_TYPES: ReadonlySet<string> = new Set(["ipv4_addr", "ipv6_addr", "ifname"]);

/**
 * Throws BadValue at a keyword that is a constant of a type (`tcp`, `exists`: keywordConstant)
 * compared alone with an address or interface name: nft reads the constant, not a host or
 * interface name (`ip saddr udp`: "datatype mismatch, expected IPv4 address, expression has type
 * Internet protocol"). (In a set of several nft takes it as the integer it is.)
 */
function checkStringConstant(left: Expr, right: Expr): void {
  if (right.kind !== "value" || right.quoted || !keywordConstant(right.text)) return;
  const type = keyDatatype(left);
  if (type !== undefined && STRING_TYPES.has(type)) {
    throw new BadValue(right, `'${right.text}' after '${exprText(left)}' is an nft keyword, a constant of another type: nft cannot read it as ${type === "ifname" ? "an interface name (quote it)" : "an address"} ("datatype mismatch")`);
  }
}

/**
 * Throws BadValue at `ref` where the set's declared type does not take what the key reads, part by
 * part of a concatenation (`ip6 saddr @s` with `type ipv4_addr`: nft "datatype mismatch").
 */
function checkSetType(left: Expr, ref: Extract<Expr, { kind: "setref" }>, def: SetDefinition): void {
  const keys = left.kind === "concat" ? left.parts : [left];
  const declared = def.keyTypeof ? def.keyTypeof.map(keyDatatype) : def.keyType;
  if (declared.length !== keys.length) {
    if (declared.length > 0 && declared.every((t) => t !== undefined)) {
      throw new BadValue(ref, `set @${ref.name} holds ${declared.join(" . ")}, and '${exprText(left)}' reads ${keys.length === 1 ? "one value" : `${keys.length} values`}: nft cannot look it up there ("datatype mismatch")`);
    }
    return;
  }
  keys.forEach((k, i) => {
    const want = declared[i];
    const got = keyDatatype(k);
    if (want === undefined || got === undefined || want === got || !DISTINCT_TYPES.has(want) || !DISTINCT_TYPES.has(got)) return;
    throw new BadValue(ref, `set @${ref.name} holds ${declared.join(" . ")}, and '${exprText(k)}' is ${/^[aeiou]/.test(got) ? "an" : "a"} ${got}: nft cannot look it up there ("datatype mismatch")`);
  });
}

/** The types checkSetType holds apart: none is taken where another is declared. */
const DISTINCT_TYPES: ReadonlySet<string> = new Set(["ipv4_addr", "ipv6_addr", "ether_addr", "inet_service", "inet_proto", "ifname", "iface_index", "icmp_type", "icmpv6_type", "ct_state", "mark"]);

/** `meta length`, `ct zone`, `tcp window`: how INTEGER_KEYS and the mark keys name a key. */
function keyName(left: Expr): string | undefined {
  if (left.kind === "meta") return `meta ${left.key}`;
  if (left.kind === "ct" && left.direction === undefined) return `ct ${left.key}`;
  if (left.kind === "payload") return `${left.protocol} ${left.field}`;
  // `ipsec in spnum 1 reqid`: the field is the last word
  if (left.kind === "opaque" && left.name === "ipsec") return `ipsec ${left.text.split(/\s+/).pop()}`;
  return undefined;
}

/**
 * The values of a key whose type is an integer - a plain one (INTEGER_KEYS) or one that also takes
 * names from a file of the loading machine (NAMED_INTEGER_KEYS: marks, users, groups, realms) -
 * as nft reads them: a keyword is a syntax error, a keyword that is a constant (`tcp`) alone a
 * datatype mismatch, and for a plain integer anything but a number of its width is refused
 * ("Could not parse integer", "Value 16 exceeds valid range 0-15"). Throws BadValue there; for a
 * mark named by a word, Unmodelled with a warning (nft looks it up in /etc/iproute2/rt_marks).
 */
function checkIntegerValues(left: Expr, right: Expr, mapKey = false): void {
  const key = keyName(left);
  if (key === undefined) return;
  const bits = INTEGER_KEYS.get(key);
  const names = NAMED_INTEGER_KEYS.get(key);
  if (bits === undefined && names === undefined) return;
  const inSet = right.kind === "set";
  const values = listedValues(right);
  let named: Expr | undefined;
  for (const v of values) {
    for (const x of ends(v)) {
      if (x.kind !== "value" || x.text.startsWith("$")) continue;
      refuseKeyword(x, exprText(left));
      // (a constant in a set of several, or a map's key, is the integer it stands for: `meta length { 100, tcp }` loads)
      if (!x.quoted && keywordConstant(x.text)) {
        if ((inSet && values.length > 1) || mapKey) continue;
        throw new BadValue(x, `'${x.text}' after '${exprText(left)}' is a constant of another type (nft: "datatype mismatch")`);
      }
      if (bits !== undefined) {
        const n = nftInteger(x.text);
        if (n === undefined) throw new BadValue(x, `expected an integer after '${exprText(left)}', found '${x.text}'`);
        if (n >= 1n << BigInt(bits)) throw new BadValue(x, `${x.text} after '${exprText(left)}' is wider than its ${bits} bits (nft: "Value ${n} exceeds valid range 0-${(1n << BigInt(bits)) - 1n}")`);
      } else if (!NFT_NUMBER.test(x.text)) {
        // (a name must start as nft's strings do: '0ff' is the number 0, then a word)
        if (!x.quoted && scannedAsNumber(x.text)) throw new BadValue(x, digitWordError(x.text, exprText(left)));
        named ??= x;
      }
    }
  }
  if (named !== undefined && isMarkKey(left)) {
    const word = (named as Extract<Expr, { kind: "value" }>).text;
    throw new Unmodelled(`'${word}' is a mark name nft looks up in ${names} when it loads the file`, {
      at: named,
      message: `'${word}' after '${exprText(left)}' is a name: nft looks it up in ${names} when it loads the file (and refuses the file where it is not there); fwlint leaves what it decides unknown`,
    });
  }
}

const fam = (family: Family): Condition => ({ kind: "family", family });

function leftOf(e: Expr): Left | null {
  switch (e.kind) {
    case "payload": {
      const p = e.protocol;
      const f = e.field;
      if ((p === "ip" || p === "ip6") && (f === "saddr" || f === "daddr")) {
        const family: Family = p === "ip" ? 4 : 6;
        return { pre: [fam(family)], dom: { d: "addr", field: f === "saddr" ? "src" : "dst", family } };
      }
      if ((p === "ip" && f === "protocol") || (p === "ip6" && f === "nexthdr")) return { pre: [fam(p === "ip" ? 4 : 6)], dom: { d: "proto" } };
      if (p in PORT_PROTO && (f === "sport" || f === "dport")) {
        const n = PORT_PROTO[p];
        return { pre: n === undefined ? [] : [{ kind: "proto", protos: [n] }], dom: { d: "port", field: f, proto: p } };
      }
      if (p === "tcp" && f === "flags") return { pre: [{ kind: "proto", protos: [6] }], dom: { d: "tcpflags" } };
      if ((p === "ip" && f === "ttl") || (p === "ip6" && f === "hoplimit")) return { pre: [fam(p === "ip" ? 4 : 6)], dom: { d: "ttl" } };
      if ((p === "icmp" || p === "icmpv6") && (f === "type" || f === "code")) {
        const family: Family = p === "icmp" ? 4 : 6;
        return { pre: [fam(family), { kind: "proto", protos: [family === 4 ? 1 : 58] }], dom: f === "type" ? { d: "icmptype", family } : { d: "icmpcode", family } };
      }
      return null;
    }
    case "meta":
      switch (e.key) {
        case "l4proto":
          return { pre: [], dom: { d: "proto" } };
        case "nfproto":
          return { pre: [], dom: { d: "nfproto" } };
        case "protocol":
          return { pre: [], dom: { d: "ethertype" } };
        case "iif":
        case "iifname":
        case "oif":
        case "oifname":
          return { pre: [], dom: { d: "iface", field: e.key.startsWith("i") ? "iif" : "oif", byName: e.key.endsWith("name") } };
      }
      return null;
    case "ct":
      if (e.key === "state" && e.direction === undefined) return { pre: [], dom: { d: "ct" } };
      if (e.key === "status" && e.direction === undefined) return { pre: [], dom: { d: "ctstatus" } };
      if (e.direction === "original" && e.family !== undefined && (e.key === "saddr" || e.key === "daddr")) {
        const family: Family = e.family === "ip" ? 4 : 6;
        const field = e.key === "saddr" ? "src" : "dst";
        // The kernel refuses the field (the rule does not match) for a connection of the other family.
        return { pre: [fam(family)], dom: { d: "addr", field, family }, original: field };
      }
      return null;
    case "fib":
      return e.result === "type" && e.flags.length === 1 && e.flags[0] === "daddr" ? { pre: [], dom: { d: "fibtype" } } : null;
    case "binop": {
      if (e.op !== "&") return null;
      if (e.left.kind === "payload" && e.left.protocol === "ip" && e.left.field === "frag-off" && e.right.kind === "value" && num(e.right.text, 0xffff) === 0x1fff) {
        return { pre: [fam(4)], dom: { d: "fragoff" } };
      }
      const inner = leftOf(e.left);
      if (!inner) return null;
      if (inner.dom.d === "tcpflags" && inner.dom.mask === undefined) {
        const m = flagBits(e.right);
        // a word that is no TCP flag: nft cannot parse the mask ("Could not parse TCP flag")
        if (m === null && onlyValues(e.right)) throw new BadValue(e.right, `expected TCP flags (fin, syn, rst, psh, ack, urg, ecn, cwr) after '${exprText(e.left)} &', found '${exprText(e.right)}'`);
        return m === null ? null : { pre: inner.pre, dom: { d: "tcpflags", mask: m } };
      }
      if (inner.dom.d === "addr" && inner.dom.mask === undefined && e.right.kind === "value") {
        const m = nftAddress(e.right.text, inner.dom.family);
        return m === null ? null : { ...inner, dom: { ...inner.dom, mask: m } };
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * What reading `e` requires of the packet: nft's implicit dependencies (`meta nfproto ipv4` before
 * `ip ...` in an inet table, `meta l4proto tcp` before `tcp ...`). They hold for fields fwlint does
 * not model too, and for statements that read a field (`add @s { ip saddr }`): a packet without the
 * header never gets past them.
 */
function dependencies(e: Expr): Condition[] {
  switch (e.kind) {
    case "payload": {
      const l = leftOf(e);
      if (l) return l.pre;
      if (e.protocol === "ip") return [fam(4)];
      if (e.protocol === "ip6") return [fam(6)];
      if (e.protocol === "icmp") return [fam(4), { kind: "proto", protos: [1] }];
      if (e.protocol === "icmpv6") return [fam(6), { kind: "proto", protos: [58] }];
      const n = PORT_PROTO[e.protocol];
      return n === undefined ? [] : [{ kind: "proto", protos: [n] }];
    }
    case "ct":
      // `ct reply ip saddr`: the kernel does not match a connection of the other family.
      return e.family === undefined ? [] : [fam(e.family === "ip" ? 4 : 6)];
    case "binop":
      return dependencies(e.left);
    case "concat":
      return distinctConditions(e.parts.flatMap(dependencies));
    case "opaque":
      // an IPv6 extension header read: nft makes the rule test `meta nfproto ipv6` first (in an
      // inet, bridge or netdev table an IPv4 packet never matches it, whatever the operator)
      if (readsExtensionHeader(e.name, e.text)) return [fam(6)];
      // a TCP option's field: the kernel breaks off the rule for a packet that is not TCP
      return e.name === "tcp option" && readsTcpOptionField(e.text) ? [{ kind: "proto", protos: [6] }] : [];
    default:
      return [];
  }
}

/** The conditions without repeats (a concatenation's parts often share their header's dependencies). */
function distinctConditions(conds: readonly Condition[]): Condition[] {
  const seen = new Set<string>();
  return conds.filter((c) => {
    const key = JSON.stringify(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Is `left OP @set` a lookup in a set only something outside the ruleset fills (see
 * outside-filled.ts): its elements time out or it is `flags dynamic`, and no rule adds or updates
 * elements - or the rules fill it as a ban list only (ban-sets.ts) -, looked up by equality with
 * keys of the packet's own (not its connection's original tuple). What it lists now is read as it
 * is, what may yet be added is an unknown condition.
 */
function filledFromOutside(st: SetState, parts: readonly Left[], op: MatchOp): boolean {
  if ((st.filledByRules && !st.ban) || (op !== "==" && op !== "!=" && op !== "implicit")) return false;
  return parts.every((l) => l.original === undefined);
}

/**
 * Is a key part the packet's source address (`ip saddr`, `ip6 saddr`, as a concatenation's part
 * too)? See addedSince. In a ban list the rules fill (st.ban), the part where they put the source
 * they add.
 */
function keyedBySource(parts: readonly Left[], st: SetState): boolean {
  return parts.some((l, i) => l.dom.d === "addr" && l.dom.field === "src" && (st.ban === undefined || st.ban.sourceAt.has(i)));
}

/** The unknown "added to @name since" (see outside-filled.ts). */
function addedTo(st: SetState, name: string, text: string): AddedSince {
  if (st.ban) {
    const who = st.ban.gate !== undefined ? `sources over a limit (${clip(st.ban.gate)}) or already in such a set` : "sources already in it";
    return { kind: "unknown", text: clip(text), reason: `${st.def.kind} @${name} is filled by rules only with ${who}: what it lists now is read, what they may have added is not known` };
  }
  return { kind: "unknown", text: clip(text), reason: `${st.def.kind} @${name} is filled from outside the ruleset (${st.dynamic}): what it lists now is read, what may be added is not known` };
}

/**
 * `key OP @name` for a set filled from outside (filledFromOutside): see outside-filled.ts. A listing
 * of a running host names the set's current elements; a file, usually none.
 */
function outsideFilled(st: SetState, name: string, op: MatchOp, listed: (op: MatchOp) => Condition[], text: string, parts: readonly Left[]): Condition[] {
  return outsideFilledMatch(op === "!=", (negate) => listed(negate ? "!=" : "=="), st.elements.length === 0, addedTo(st, name, text), keyedBySource(parts, st));
}

/**
 * What a match reading the packet's connection - a `ct` key other than its state (`ct mark`,
 * `ct status`, `ct helper`, `ct original ...`), alone, masked or in a concatenation - holds only
 * for: a packet with a connection. nft's ct expression ends the rule (NFT_BREAK) where there is
 * none, whatever the comparison: an INVALID or UNTRACKED packet, and every packet before connection
 * tracking (checked with the kernel: a raw prerouting chain's `ct mark 0x0 drop` drops nothing).
 */
function connectionOnly(left: Expr): Condition[] {
  return readsConnection(left) ? [{ kind: "ctstate", states: [...CONNECTED_STATES] }] : [];
}

function readsConnection(e: Expr): boolean {
  if (e.kind === "ct") return e.key !== "state" && e.key !== "count";
  if (e.kind === "binop") return readsConnection(e.left);
  if (e.kind === "concat") return e.parts.some(readsConnection);
  return false;
}

/** The `or` conditions of matches on the original tuple, split by conntrack state (see originalDirection). */
const DIRECTION_SPLITS = new WeakSet<Condition>();

/**
 * `c`, the conditions of a match on the original tuple (`ct original ip saddr X`), for the packets
 * whose original tuple is their own. A new connection's first packets travel in the original
 * direction: there the original source is the packet's source (SNAT rewrites after filtering, and
 * the model keeps sources as they arrive), and the original destination is its destination unless
 * a DNAT may have rewritten it. Packets of established or related connections may travel in the
 * reply direction: unknown. Without a connection (invalid, untracked) the kernel does not match.
 * Nat chains see only a connection's first packet: exact there.
 */
function originalDirection(c: Condition[], field: "src" | "dst", text: string, ctx: RuleCtx): Condition[] {
  if (field === "dst" && ctx.dnat) return [{ kind: "unknown", text: clip(text), reason: "the destination before DNAT is not modelled, and this ruleset has DNAT rules" }];
  if (ctx.newOnly) return c;
  const split: Condition = {
    kind: "or",
    anyOf: [
      [{ kind: "ctstate", states: ["new"] }, ...c],
      [{ kind: "ctstate", states: ["established", "related"] }, { kind: "unknown", text: clip(text), reason: "packets of established and related connections may travel in the reply direction, where the original tuple is the other end's" }],
    ],
  };
  DIRECTION_SPLITS.add(split);
  return [split];
}

/** OR of TCP flag names/numbers: `syn`, `syn,ack`, `syn | ack`, `0x12`; null when not flags. */
function flagBits(e: Expr): number | null {
  if (e.kind === "value") {
    const n = num(e.text, 255);
    if (n !== null) return n;
    let m = 0;
    for (const p of e.text.split(/[|,]/)) {
      const b = TCP_FLAGS[p.trim()];
      if (b === undefined) return null;
      m |= b;
    }
    return m;
  }
  if (e.kind === "list") {
    let m = 0;
    for (const x of e.items) {
      const b = flagBits(x);
      if (b === null) return null;
      m |= b;
    }
    return m;
  }
  if (e.kind === "binop" && e.op === "|") {
    const a = flagBits(e.left);
    const b = flagBits(e.right);
    return a === null || b === null ? null : a | b;
  }
  return null;
}

/** Values alone, joined by `|` or listed: what a mask or flag list is written with. */
function onlyValues(e: Expr): boolean {
  if (e.kind === "value") return true;
  if (e.kind === "list") return e.items.every(onlyValues);
  return e.kind === "binop" && e.op === "|" && onlyValues(e.left) && onlyValues(e.right);
}

/** `a.b.c.d` with decimal octets, the form nft writes (the fast path for sets of many addresses); null otherwise. */
function dottedQuad(t: string): bigint | null {
  let v = 0;
  let octet = -1;
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 3 || (digits > 0 && octet === 0)) return null;
      octet = (octet < 0 ? 0 : octet * 10) + (c - 48);
      digits++;
    } else if (c === 46 && digits > 0 && dots < 3) {
      if (octet > 255) return null;
      v = v * 256 + octet;
      octet = -1;
      digits = 0;
      dots++;
    } else return null;
  }
  if (dots !== 3 || digits === 0 || octet > 255) return null;
  return BigInt(v * 256 + octet);
}

/** A value that is not valid for what it is compared with: reported, and the match becomes Unknown. */
class BadValue {
  constructor(readonly at: Expr, readonly message: string) {}
}


/** One element (value, prefix, range) of the domain -> the ranges it stands for. */
type Piece =
  | { d: "addr"; r: AddrRange[] }
  | { d: "num"; r: [number, number] }
  | { d: "iface"; name: string; prefix: boolean }
  | { d: "ct"; s: CtState[] }
  | { d: "flags"; v: number }
  | { d: "family"; f: Family[] }
  | { d: "text"; t: string };

/**
 * The pieces of a named set's elements, for domainCond. An address set's elements are read into
 * one piece (addrRangesInto), not a piece and a range list each: a blocklist has 100k+ of them.
 */
function setPieces(dom: Domain, elements: readonly SetElement[], what: string): Piece[] {
  if (dom.d !== "addr") return elements.map((e) => piece(dom, e.key, what));
  const ranges: AddrRange[] = [];
  for (const { key } of elements) addrRangesInto(dom, key, what, ranges);
  if (dom.mask === undefined && ranges.length === elements.length) readAddresses.set(elements, { family: dom.family, ranges });
  return [{ d: "addr", r: ranges }];
}

/**
 * Per element list of a set, the address range of each element as a lookup read them (one each,
 * no mask; never changed after): the check for conflicting elements (elementBoxes) takes them
 * from here. A list that grew since is read again.
 */
const readAddresses = new WeakMap<readonly SetElement[], { family: Family; ranges: readonly AddrRange[] }>();

/**
 * An address as nft reads one of `family`: IPv6 text; IPv4 four dotted parts as inet_aton reads
 * them (`010.0.0.1` is 8.0.0.1), or one unsigned 32-bit integer in C notation - nft's lexer makes
 * `10` a number, so `ip saddr 10` is 0.0.0.10 and `0x0a000001` is 10.0.0.1 (not iptables' 10.0.0.0);
 * `localhost` the loopback address. Null for anything else.
 */
function nftAddress(t: string, family: Family): bigint | null {
  // (every host's resolver has localhost, which nft looks up as it does any name)
  if (t === "localhost") return family === 4 ? 0x7f000001n : 1n;
  if (family === 6) return parseIP(t, 6);
  const quad = dottedQuad(t);
  if (quad !== null) return quad;
  // (inet_aton's forms of one part and of four: nft refuses `10.1` and `10.1.2`)
  const parts = t.split(".").length;
  return parts === 1 || parts === 4 ? parseInetAton(t) : null;
}

/**
 * An address written where `what` compares against one of `family`, or a BadValue at `at`. A host
 * name is Unmodelled: nft looks it up when it loads the file, on the machine that loads it.
 */
function addrValue(x: Expr, family: Family, what: string, at: Expr): bigint {
  const v = x.kind === "value" ? nftAddress(x.text, family) : null;
  if (v !== null) return v;
  if (x.kind === "value" && !x.quoted && keywordAsValue(x.text)) throw new BadValue(at, keywordValueError(x.text, what, "an address"));
  if (x.kind === "value" && looksLikeHostname(x.text)) {
    const { warning, reason } = hostNameLookup(x.text, `'${what}'`, "nft");
    throw new Unmodelled(reason, { at, message: warning });
  }
  throw new BadValue(at, `expected an IPv${family} address after '${what}', found '${exprText(x)}'`);
}

/** The address ranges element `e` (address, prefix, range) stands for in `dom`, appended to `out`. */
function addrRangesInto(dom: Extract<Domain, { d: "addr" }>, e: Expr, what: string, out: AddrRange[]): void {
  const family = dom.family;
  if (dom.mask !== undefined) {
    const base = addrValue(e, family, what, e) & dom.mask;
    const p = maskToPrefix(dom.mask, family);
    if (p !== null) {
      out.push(prefixRange(base, p, family));
      return;
    }
    const r = maskRanges(base, dom.mask, family, 4096);
    if (r === null) throw new Unmodelled(`the mask of '${what}' is not contiguous and covers too many ranges`);
    for (const x of r) out.push(x);
    return;
  }
  if (e.kind === "prefix") {
    const a = nftAddress(e.addr, family);
    if (a === null || e.length > (family === 4 ? 32 : 128)) throw new BadValue(e, `expected an IPv${family} prefix after '${what}', found '${exprText(e)}'`);
    out.push(prefixRange(a, e.length, family));
    return;
  }
  if (e.kind === "range") {
    const lo = addrValue(e.low, family, what, e);
    const hi = addrValue(e.high, family, what, e);
    if (lo > hi) throw new BadValue(e, `invalid address range '${exprText(e)}' after '${what}' (low > high)`);
    out.push({ lo, hi });
    return;
  }
  if (e.kind === "value" && e.text.includes("-")) {
    const [a, b] = e.text.split("-");
    const lo = nftAddress(a!, family);
    const hi = nftAddress(b!, family);
    if (lo !== null && hi !== null && lo <= hi) {
      out.push({ lo, hi });
      return;
    }
  }
  const v = addrValue(e, family, what, e);
  out.push({ lo: v, hi: v });
}

/** The bits a bitmask value names: state names, numbers, and lists or ORs of them; undefined for anything else. */
function ctStateBits(e: Expr): number | undefined {
  if (e.kind === "value") return num(e.text, 0xffffffff) ?? CT_STATE_BITS.find(([, state]) => state === e.text)?.[0];
  const parts = e.kind === "list" ? e.items : e.kind === "binop" && e.op === "|" ? [e.left, e.right] : undefined;
  if (!parts) return undefined;
  let bits = 0;
  for (const p of parts) {
    const b = ctStateBits(p);
    if (b === undefined) return undefined;
    bits |= b;
  }
  return bits;
}

/**
 * `ct state & M == V` and `!= V` - and `ct state ! M`, nft's `& M == 0`, as `nft list ruleset`
 * writes it - as a test of the one state bit a packet has: `== 0` is "none of M", `== b` for one
 * bit b of M "is b", and any other V never holds. undefined when the match is no such test.
 */
function ctStateMask(left: Expr, op: MatchOp, right: Expr): { states: CtState[]; negate: boolean } | "always" | "never" | undefined {
  if (left.kind !== "binop" || left.op !== "&" || exprText(left.left) !== "ct state" || (op !== "==" && op !== "!=" && op !== "implicit")) return undefined;
  const mask = ctStateBits(left.right);
  const value = ctStateBits(right);
  if (mask === undefined || value === undefined) return undefined;
  const named = CT_STATE_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, state]) => state);
  const one = CT_STATE_BITS.find(([bit]) => bit === value && (mask & bit) !== 0)?.[1];
  // what `== V` holds for: none of M, exactly one state, or nothing
  const equal: { states: CtState[]; negate: boolean } | "never" = value === 0 ? { states: named, negate: true } : one ? { states: [one], negate: false } : "never";
  const result = op === "!=" ? (equal === "never" ? "always" : { states: equal.states, negate: !equal.negate }) : equal;
  if (result !== "never" && result !== "always" && result.states.length === 0) return result.negate ? "always" : "never";
  return result;
}

/** Domains whose values are numbers nft reads (octalValues). */
const NUMBER_DOMAINS: ReadonlySet<Domain["d"]> = new Set(["proto", "port", "icmptype", "icmpcode", "ttl"]);

function piece(dom: Domain, e: Expr, what: string): Piece {
  const bad = (msg: string): never => {
    throw new BadValue(e, msg);
  };
  switch (dom.d) {
    case "addr": {
      const r: AddrRange[] = [];
      addrRangesInto(dom, e, what, r);
      return { d: "addr", r };
    }
    case "proto":
    case "port":
    case "icmptype":
    case "icmpcode":
    case "ttl": {
      const one = (x: Expr): number => {
        const t = x.kind === "value" ? x.text : "";
        let n: number | null = null;
        if (dom.d === "ttl") n = num(t, 255);
        else if (dom.d === "proto") n = num(t, 255) ?? protocolNumber(t === "ipv6-icmp" ? "icmpv6" : t === "comp" ? "ipcomp" : t);
        // (digits nft's scanner reads as a string, `09`, are a service it looks up: the number in decimal)
        else if (dom.d === "port") n = num(t, 65535) ?? (/^[0-9]+$/.test(t) && Number(t) <= 65535 ? Number(t) : /^[a-z][a-z0-9-]*$/i.test(t) ? servicePort(t, dom.proto === "th" ? undefined : dom.proto) : null);
        else if (dom.d === "icmptype") n = num(t, 255) ?? (dom.family === 4 ? ICMP_NFT : ICMPV6_NFT).get(t) ?? null;
        else n = num(t, 255) ?? (dom.family === 4 ? ICMP_CODES : ICMPV6_CODES).get(t) ?? null;
        if (n === null) {
          const kind = dom.d === "ttl" ? "a number (0-255)" : dom.d === "proto" ? "a protocol name or number" : dom.d === "port" ? "a port, service name or range" : dom.d === "icmptype" ? `an ${dom.family === 4 ? "icmp" : "icmpv6"} type name or number` : "an icmp code";
          bad(`expected ${kind} after '${what}', found '${exprText(x)}'`);
        }
        return n!;
      };
      if (e.kind === "range") {
        const lo = one(e.low);
        const hi = one(e.high);
        if (lo > hi) bad(`invalid range '${exprText(e)}' after '${what}' (low > high)`);
        return { d: "num", r: [lo, hi] };
      }
      if (e.kind === "value" && /^[0-9]+-[0-9]+$/.test(e.text)) {
        const [low, high] = e.text.split("-") as [string, string];
        const a = one({ ...e, text: low });
        const b = one({ ...e, text: high });
        if (a > b) bad(`invalid range '${e.text}' after '${what}' (low > high)`);
        return { d: "num", r: [a, b] };
      }
      const n = one(e);
      return { d: "num", r: [n, n] };
    }
    case "iface": {
      if (e.kind !== "value") return bad(`expected an interface name after '${what}', found '${exprText(e)}'`);
      if (!e.quoted && keywordAsValue(e.text)) return bad(`${keywordValueError(e.text, what, "an interface name")}; quote it`);
      if (!dom.byName && /^[0-9]+$/.test(e.text)) throw new Unmodelled(`'${what}' with an interface index is not modelled`);
      // IFNAMSIZ: 15 characters and the terminating zero, a wildcard's '*' counted (nft: "String exceeds maximum length of 16")
      if (e.text.length > 15) bad(`interface name '${e.text}' after '${what}' has ${e.text.length} characters: an interface name has at most 15 (nft: "String exceeds maximum length of 16")`);
      const prefix = dom.byName && e.text.endsWith("*") && !e.text.endsWith("\\*");
      return { d: "iface", name: prefix ? e.text.slice(0, -1) : e.text.replace(/\\\*$/, "*"), prefix };
    }
    case "ct": {
      const states: CtState[] = [];
      const items = e.kind === "list" ? e.items : e.kind === "binop" && e.op === "|" ? [e.left, e.right] : [e];
      for (const x of items) {
        const bits = x.kind === "value" ? num(x.text, 0xffffffff) : null;
        if (x.kind === "binop") {
          const sub = piece(dom, x, what) as { d: "ct"; s: CtState[] };
          states.push(...sub.s);
        } else if (bits !== null) {
          for (const [bit, state] of CT_STATE_BITS) if (bits & bit) states.push(state);
        } else if (x.kind !== "value" || !CT.has(x.text)) bad(`expected a connection state (new, established, related, invalid, untracked) after '${what}', found '${exprText(x)}'`);
        else states.push(x.text as CtState);
      }
      return { d: "ct", s: states };
    }
    case "ctstatus":
      // `dnat` is a fact of the packet's path (see the ct-dnat condition); the other bits are not modelled
      if (e.kind === "value" && e.text === "dnat") return { d: "text", t: "dnat" };
      throw new Unmodelled(`'${what} ${exprText(e)}' is not modelled (of the connection's status, fwlint models dnat)`);
    case "tcpflags": {
      const v = flagBits(e);
      if (v === null) bad(`expected TCP flags (fin, syn, rst, psh, ack, urg, ecn, cwr) after '${what}', found '${exprText(e)}'`);
      return { d: "flags", v: v! };
    }
    case "nfproto":
    case "ethertype": {
      const p = e.kind === "value" ? networkProtocol(e.text, dom.d === "nfproto") : undefined;
      const f = p === "ip" ? 4 : p === "ip6" ? 6 : null;
      if (f === null) throw new Unmodelled(`'${what} ${exprText(e)}' is not an IP family (fwlint models IPv4 and IPv6 packets)`);
      return { d: "family", f: [f] };
    }
    case "fibtype":
      // (`fib daddr type 1-3`: route types by number, which nft takes - checkSymbols read both ends)
      if (e.kind === "range") throw new Unmodelled(`'${what} ${exprText(e)}' (a range of address types) is not modelled`);
      // (`fib daddr type 2`, as nft -n prints it, is `local`)
      if (e.kind !== "value" || !takesSymbol(FIB_ADDR_TYPE, e.text)) return bad(symbolError(FIB_ADDR_TYPE, what, exprText(e)));
      return { d: "text", t: fibAddrType(e.text) === "local" ? "local" : e.text };
    case "fragoff": {
      const n = e.kind === "value" ? num(e.text, 0x1fff) : null;
      if (n === null) return bad(`expected a fragment offset after '${what}', found '${exprText(e)}'`);
      return { d: "num", r: [n, n] };
    }
  }
}

/** Something valid that the model cannot express for this match: the match becomes Unknown. */
class Unmodelled {
  /** `warn`: also a warning there (what the user should know fwlint left open). */
  constructor(
    readonly reason: string,
    readonly warn?: { at: Expr; message: string },
  ) {}
}

/** The `ordinary` field of an unknown `left OP right` (see ordinary.ts), to spread into it. */
function ordinaryOf(left: Expr, op: MatchOp, right: Expr, ctx: RuleCtx): { ordinary?: boolean } {
  // (a named set read as it is: whether it is declared is reported where the rule uses it)
  const values =
    right.kind === "list" ? right.items : right.kind === "setref" ? (ctx.table.sets.get(right.name)?.elements.map((e) => e.key) ?? []) : elementsOf(right, ctx);
  const v = ordinaryValue(left, op, values);
  return v === undefined ? {} : { ordinary: v };
}

/** The elements a right-hand side stands for (a set, a list, one value), with named sets resolved. */
function elementsOf(right: Expr, ctx: RuleCtx): Expr[] {
  if (right.kind === "set") return right.elements.map((x) => x.key);
  if (right.kind === "setref") return ctx.setElements(right).map((x) => x.key);
  return [right];
}

/** The condition(s) for `left OP right` on one modelled domain, given the pieces of the right side. */
function domainCond(dom: Domain, op: MatchOp, pieces: Piece[], isSet: boolean, what: string): Condition[] {
  const neg = op === "!=";
  const withNeg = <C extends Condition>(c: C): Condition => (neg ? ({ ...c, negate: true } as Condition) : c);
  const relational = op === "<" || op === ">" || op === "<=" || op === ">=";
  switch (dom.d) {
    case "addr": {
      let ranges: AddrRange[] = [];
      for (const p of pieces) for (const r of (p as { r: AddrRange[] }).r) ranges.push(r);
      if (relational) {
        if (isSet || ranges.length !== 1 || ranges[0]!.lo !== ranges[0]!.hi) throw new Unmodelled(`'${what} ${op}' with more than one address is not modelled`);
        const v = ranges[0]!.lo;
        const max = familyMax(dom.family);
        const r = op === "<" ? (v > 0n ? { lo: 0n, hi: v - 1n } : null) : op === "<=" ? { lo: 0n, hi: v } : op === ">" ? (v < max ? { lo: v + 1n, hi: max } : null) : { lo: v, hi: max };
        ranges = r ? [r] : [];
        if (!r) return [{ kind: "addr", field: dom.field, family: dom.family, ranges: [{ lo: 0n, hi: max }], negate: true }];
      }
      return [withNeg({ kind: "addr", field: dom.field, family: dom.family, ranges })];
    }
    case "proto":
    case "port":
    case "icmptype":
    case "icmpcode":
    case "ttl": {
      let ranges = pieces.map((p) => (p as { r: [number, number] }).r);
      const max = dom.d === "port" ? 65535 : 255;
      if (relational) {
        if (isSet || ranges.length !== 1 || ranges[0]![0] !== ranges[0]![1]) throw new Unmodelled(`'${what} ${op}' with more than one value is not modelled`);
        const v = ranges[0]![0];
        const r: [number, number] | null = op === "<" ? (v > 0 ? [0, v - 1] : null) : op === "<=" ? [0, v] : op === ">" ? (v < max ? [v + 1, max] : null) : [v, max];
        ranges = r ? [r] : [];
        if (!r) return [nothing(dom)];
      }
      if (dom.d === "port") return [withNeg({ kind: "port", field: dom.field, ranges })];
      if (dom.d === "ttl") return [withNeg({ kind: "ttl", ranges })];
      if (dom.d === "proto") {
        const protos: number[] = [];
        for (const [lo, hi] of ranges) for (let p = lo; p <= hi; p++) protos.push(p);
        return [withNeg({ kind: "proto", protos })];
      }
      if (dom.d === "icmptype") {
        const any = ranges.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, k): Condition[] => [{ kind: "icmp", family: dom.family, type: lo + k }]));
        if (any.length === 1 && !neg) return any[0]!;
        return [{ kind: "or", anyOf: any, ...(neg ? { negate: true } : {}) }];
      }
      // icmp code without a type: every type with those codes.
      const any: Condition[][] = [];
      for (let t = 0; t <= 255; t++) for (const [lo, hi] of ranges) any.push([{ kind: "icmp", family: dom.family, type: t, codeLo: lo, codeHi: hi }]);
      return [{ kind: "or", anyOf: any, ...(neg ? { negate: true } : {}) }];
    }
    case "iface": {
      if (relational) throw new Unmodelled(`'${what} ${op}' is not modelled`);
      const conds = pieces.map((p): Condition => {
        const q = p as { name: string; prefix: boolean };
        return { kind: "iface", field: dom.field, name: q.name, prefix: q.prefix };
      });
      if (conds.length === 1) return [withNeg(conds[0]!)];
      return [{ kind: "or", anyOf: conds.map((c) => [c]), ...(neg ? { negate: true } : {}) }];
    }
    case "ctstatus":
      // `ct status dnat` tests the bit; `==` compares the whole status, `!=` and sets are not modelled
      if (op !== "implicit" || isSet || pieces.length !== 1) throw new Unmodelled(`'${what} ${op === "implicit" ? "" : `${op} `}...' other than a bare 'ct status dnat' is not modelled`);
      return [{ kind: "ct-dnat", text: `${what} dnat` }];
    case "ct": {
      if (relational) throw new Unmodelled(`'${what} ${op}' is not modelled`);
      const states = [...new Set(pieces.flatMap((p) => (p as { s: CtState[] }).s))];
      // `==` and `!=` compare the whole state with the value (nft 1.0.6: cmp eq / cmp neq of the
      // bits' OR): a packet has one state, so against two or more `==` never holds and `!=` always
      // does (`ct state != established,related` lets every packet through). The bare form tests
      // any of the bits, and a set `{ }` the value's membership: one state among those.
      if (!isSet && (op === "==" || op === "!=") && states.length > 1) return op === "==" ? [nothing(dom)] : [];
      return [withNeg({ kind: "ctstate", states })];
    }
    case "tcpflags": {
      if (relational) throw new Unmodelled(`'${what} ${op}' is not modelled`);
      const values = pieces.map((p) => (p as { v: number }).v);
      const anyOf = (m: number) => values.map((v): Condition[] => [{ kind: "tcpflags", mask: m, comp: v & m }]);
      if (isSet) return [{ kind: "or", anyOf: anyOf(dom.mask ?? 255), ...(neg ? { negate: true } : {}) }];
      const v = values.reduce((a, b) => a | b, 0);
      // `tcp flags & (syn|ack) == syn`: the masked bits equal the value.
      if (dom.mask !== undefined) return [withNeg({ kind: "tcpflags", mask: dom.mask, comp: v & dom.mask })];
      // `tcp flags == syn` and `!= syn`, `== syn,ack` and `!= syn,ack`: exactly these flags, or not
      // exactly these (nft 1.0.6: cmp eq / cmp neq; "none of them" is `tcp flags ! syn,ack`).
      if (op === "==" || op === "!=") return [withNeg({ kind: "tcpflags", mask: 255, comp: v })];
      // `tcp flags syn,ack` (implicit): any of them is set.
      const bits = [1, 2, 4, 8, 16, 32, 64, 128].filter((b) => v & b);
      if (bits.length === 1) return [withNeg({ kind: "tcpflags", mask: v, comp: v })];
      return [{ kind: "or", anyOf: bits.map((b) => [{ kind: "tcpflags", mask: b, comp: b }]), ...(neg ? { negate: true } : {}) }];
    }
    case "nfproto":
    case "ethertype": {
      if (relational) throw new Unmodelled(`'${what} ${op}' is not modelled`);
      const fams = new Set(pieces.flatMap((p) => (p as { f: Family[] }).f));
      const keep = ([4, 6] as Family[]).filter((f) => fams.has(f) !== neg);
      if (keep.length === 2) return [];
      if (keep.length === 1) return [fam(keep[0]!)];
      return [{ kind: "or", anyOf: [] }];
    }
    case "fragoff": {
      // Only "is a later fragment" (offset != 0) and its negation have a model condition.
      const offs = pieces.map((p) => (p as { r: [number, number] }).r[0]);
      if (!isSet && offs.length === 1 && offs[0] === 0 && (op === "!=" || op === "==")) return [op === "!=" ? { kind: "fragment" } : { kind: "fragment", negate: true }];
      if (!isSet && offs.length === 1 && offs[0] === 0 && op === ">") return [{ kind: "fragment" }];
      throw new Unmodelled(`'${what} ${op}' other than != 0 is not modelled`);
    }
    case "fibtype": {
      const types = pieces.map((p) => (p as { t: string }).t);
      if (types.length === 1 && types[0] === "local" && (op === "implicit" || op === "==" || op === "!=")) {
        return [neg ? { kind: "local-dst", text: "fib daddr type != local", negate: true } : { kind: "local-dst", text: "fib daddr type local" }];
      }
      throw new Unmodelled(`'${what}' other than local is not modelled`);
    }
  }
}

function nothing(dom: Domain): Condition {
  if (dom.d === "port") return { kind: "port", field: dom.field, ranges: [[0, 65535]], negate: true };
  return { kind: "or", anyOf: [] };
}

// ---------------------------------------------------------------------------------------------
// Rules

interface Expansion {
  conditions: Condition[];
  action: Action;
  setMark?: MarkRewrite;
  /** The map element it stands for, as written ("22", "10.0.0.1 . 443", "*"). */
  element?: string;
  logs?: true;
}

interface RuleCtx {
  table: TableState;
  chainKey: string;
  family: NftFamily;
  /** A nat chain (or an anonymous chain it jumps to): only a connection's first packet passes it. */
  newOnly: boolean;
  /** The ruleset rewrites destinations (dnat, redirect): `ct original ip daddr` may not be the packet's. */
  dnat: boolean;
  setElements(ref: Extract<Expr, { kind: "setref" }>): SetElement[];
}

class RuleMapper {
  private readonly conds: Condition[] = [];
  private action: Action | undefined;
  private effect: string | undefined;
  /** The rule writes a log entry for what it matches before its verdict (Rule.logs). */
  private logs = false;
  /** The mark the rule's `meta mark set` statements leave (see Rule.setMark). */
  private setMark: MarkRewrite | undefined;
  private comment: string | undefined;
  private expansion: Expansion[] | undefined;
  /** The line of the rule being mapped (an anonymous chain is named by it). */
  private line = 0;

  /** The protocols the rule's statements so far imply, as nft tracks them (see protocol-context.ts). */
  private readonly protocols: ProtocolContext;
  /** The protocol context refused the rule (reported): its later statements are not read. */
  private refused = false;

  constructor(private readonly m: Mapper, private readonly ctx: RuleCtx) {
    this.protocols = new ProtocolContext(ctx.family);
  }

  map(node: RuleNode): { rules: Expansion[]; comment?: string } {
    this.comment = node.comment;
    this.line = node.span.line;
    for (const s of node.stmts) this.stmt(s);
    const action = this.action ?? { kind: "continue", target: this.effect ?? "none" };
    const setMark = this.setMark;
    const logs = this.logs;
    const rules = (this.expansion ? this.expansion.map((e) => ({ ...e, conditions: [...this.conds, ...e.conditions] })) : [{ conditions: this.conds, action }]).map((r) => ({
      ...r,
      ...(setMark !== undefined ? { setMark } : {}),
      ...(logs ? { logs: true as const } : {}),
      conditions: r.conditions.filter((c, i) => c.kind !== "family" || !r.conditions.slice(0, i).some((d) => d.kind === "family" && d.family === c.family)),
    })).flatMap(byDirection).flatMap((r) => splitRule(r.conditions).map((conditions) => ({ ...r, conditions })));
    // nft: "transport protocol mapping is only valid after transport protocol match".
    for (const r of rules) {
      if ((r.action.kind === "dnat" || r.action.kind === "snat") && r.action.to.ports && !this.natTransport) {
        this.m.error(node.span, `${r.action.target}: ${NAT_PORT_NEEDS_TRANSPORT}`);
        break;
      }
    }
    return this.comment === undefined ? { rules } : { rules, comment: this.comment };
  }

  private add(...c: Condition[]): void {
    if (this.action === undefined && this.expansion === undefined) this.conds.push(...c);
  }

  /** `told`: what ordinary traffic makes of it, when that is told (see ordinary.ts). */
  private unknown(text: string, reason: string, told: { ordinary?: boolean; drawn?: true } = {}): void {
    this.add({ kind: "unknown", text: text.length > 240 ? `${text.slice(0, 237)}...` : text, reason, ...told });
  }

  private decide(a: Action): void {
    if (this.action === undefined && this.expansion === undefined) this.action = a;
  }

  private stmt(s: Stmt): void {
    if (this.refused) return;
    const refused = this.protocols.statement(s);
    if (refused) {
      // (nft stops at the first: what follows is not read)
      this.m.error(refused.span, refused.message);
      this.m.invalid = true;
      this.refused = true;
      return;
    }
    const constant = constantInKey(s);
    if (constant) {
      this.m.error(constant.part.span, constant.message);
      this.m.invalid = true;
      return;
    }
    if (s.kind === "match") checkMarkValues(s.left, s.right);
    else if (s.kind === "effect" && s.assign) {
      checkMarkValues(s.assign.key, s.assign.value, true);
      checkMarkSource(s.assign.key, s.assign.value);
    }
    switch (s.kind) {
      case "match": {
        // `ip saddr { 10.0.0.1 : accept }`: a map's elements where a set of values stands
        const mapping = s.right.kind === "set" ? s.right.elements.find((e) => e.data !== undefined) : undefined;
        if (mapping) {
          this.m.error(mapping.span, `'${exprText(mapping.key)} : ${exprText(mapping.data!)}' maps a key to a value, which a match cannot: write 'vmap' or 'map' before the set, or drop ': ${exprText(mapping.data!)}' (nft: "mapping outside of map context")`);
          this.m.invalid = true;
          return;
        }
        const left = this.withCtFamily(s.left);
        if (left === null) return;
        if (left.kind === "ct" && left.key === "l3proto" && s.op !== "!=" && s.right.kind === "value") this.l3proto = s.right.text;
        const mark = markTest(left, s.op, s.right, `${exprText(s.left)} ${opText(s.op)}${exprText(s.right)}`);
        if (mark) return this.add(mark);
        // (an anonymous set of one key merges what overlaps; a concatenation's is refused)
        if (left.kind === "concat" && s.right.kind === "set") this.anonymousConflicts(left, s.right.elements, "the set", "set");
        if (left.kind === "concat" && s.right.kind === "concat") {
          this.m.error(s.right.span, `'${exprText(left)} ${opText(s.op)}${exprText(s.right)}' compares a concatenation with one value: nft takes a concatenation only with a set or map ("Use concatenations with sets and maps, not singleton values"); write '{ ${exprText(s.right)} }'`);
        }
        return this.add(...this.m.match(left, s.op, s.right, this.ctx, `${exprText(s.left)} ${opText(s.op)}${exprText(s.right)}`));
      }
      case "verdict":
        return this.decide(this.verdict(s.verdict));
      case "reject": {
        // nft gives a reject its protocol as a match (nft 1.0.6, --debug=netlink): `with tcp reset`
        // holds for TCP packets alone, and in an inet table `with icmp` for IPv4 and `with icmpv6`
        // for IPv6 alone - the other packets go on past the rule
        const kind = s.with?.split(/\s+/)[0];
        if (kind === "tcp") this.add({ kind: "proto", protos: [6] });
        else if ((kind === "icmp" || kind === "icmpv6") && this.ctx.family !== "ip" && this.ctx.family !== "ip6") this.add(fam(kind === "icmp" ? 4 : 6));
        return this.decide(s.with === undefined ? { kind: "reject" } : { kind: "reject", with: s.with.replace(/\btype\s+/, "") });
      }
      case "comment":
        this.comment = s.text;
        return;
      case "effect":
        if (s.name === "xt") return this.xt(s);
        // A map that chooses a named object (`counter name tcp dport map { 22 : "c" }`) or the value
        // written (`meta mark set tcp dport map { 22 : 1 }`): the kernel reads the key's headers
        // and passes over a packet whose key the map does not hold (its NFT_BREAK), so the rule is
        // for the map's keys only (the kernel-oracle, asked). A value read from the packet
        // (`meta mark set tcp dport`) implies its headers too.
        if (s.assign) this.add(...dependencies(s.assign.value));
        for (const c of [...(s.chooser ? mapLookups(s.chooser) : []), ...(s.assign ? mapLookups(s.assign.value) : [])]) {
          this.add(...dependencies(c.key));
          if (c.map.kind === "set" && neverMisses(c.key, c.map.elements)) continue;
          const keys: Expr = c.map.kind === "set" ? { kind: "set", elements: c.map.elements.map((e) => ({ key: e.key, span: e.span })), span: c.map.span } : c.map;
          this.add(...this.m.match(c.key, "implicit", keys, this.ctx, `${exprText(c.key)} in the keys of ${exprText(c)}`));
        }
        // a meter reads its key's headers: `meter m { tcp dport ... }` is for TCP packets only
        if (s.key) this.add(...dependencies(s.key));
        if (s.filters) {
          // a statement that may take packets away (synproxy, a quota ...): named in traces by what it is
          this.effect ??= s.name;
          return this.unknown(s.text, `'${s.name}' is not modelled`, sentAmount(s.name, s.text));
        }
        // The packet is rewritten (stateless NAT) or taken out of the path: what follows is not modelled.
        if (DIVERTS.has(s.name) || REWRITES.test(s.text)) {
          // synproxy passes over what is not TCP (the kernel's NFT_BREAK)
          if (s.name === "synproxy") this.add({ kind: "proto", protos: [6] });
          return this.decide({ kind: "unknown", target: s.text });
        }
        if (s.name === "notrack") this.effect = "notrack";
        else this.effect ??= s.name;
        // (a log after the verdict is never run: nft refuses a statement there)
        if (s.name === "log" && this.action === undefined && this.expansion === undefined) this.logs = true;
        {
          const mark = markSetOf(s);
          if (mark !== undefined && this.action === undefined && this.expansion === undefined) this.setMark = composeMarks(this.setMark, mark);
        }
        return;
      case "setop":
        // The kernel reads the key's fields (and a map's data) first: the statement implies their
        // headers (`update @m { ip saddr : tcp dport }` is for TCP packets only).
        for (const part of [s.elem, s.data]) {
          // (a keyword where a value stands: `update @m { ip saddr : size }` is a syntax error to nft)
          const word = part && keywordIn(part);
          if (word) {
            this.m.error(word.span, keywordValueError(word.text, `${s.op} @${s.set}`, "a value"));
            this.m.invalid = true;
            return;
          }
        }
        this.add(...dependencies(s.elem));
        if (s.data) this.add(...dependencies(s.data));
        for (const e of s.effects ?? []) {
          if (e.filters) this.unknown(`${s.op} @${s.set} { ${exprText(s.elem)} ${e.text} }`, `'${e.name}' in a set statement is not modelled`, sentAmount(e.name, e.text));
        }
        this.effect ??= "set";
        return;
      case "vmap":
        return this.vmap(s);
      case "nat":
        return this.nat(s);
    }
  }

  /** `ct l3proto ipv4` earlier in the rule: it names the family of `ct original saddr`. */
  private l3proto: string | undefined;

  /**
   * `ct original saddr` names no family: nft takes the table's, or the one an earlier match of the
   * rule implies (`meta nfproto ipv4`, `ip ...`, `ct l3proto ipv4`), and refuses the rule otherwise;
   * `ct saddr` (no direction) it refuses everywhere. Null (reported, the rule left out) when nft refuses.
   */
  private withCtFamily(e: Expr): Expr | null {
    switch (e.kind) {
      case "ct": {
        if ((e.key !== "saddr" && e.key !== "daddr") || e.family !== undefined) return e;
        if (e.direction === undefined) return this.refuse(e, `'ct ${e.key}' needs a direction: 'ct original ${e.key}' or 'ct reply ${e.key}'`);
        const f = this.impliedFamily();
        if (f === undefined) {
          return this.refuse(e, `cannot tell the address family of '${exprText(e)}': write 'ct ${e.direction} ip ${e.key}' or 'ct ${e.direction} ip6 ${e.key}' (or match 'meta nfproto' earlier in the rule)`);
        }
        return { ...e, family: f };
      }
      case "binop": {
        const l = this.withCtFamily(e.left);
        return l === null ? null : l === e.left ? e : { ...e, left: l };
      }
      case "concat": {
        const parts = e.parts.map((p) => this.withCtFamily(p));
        if (parts.some((p) => p === null)) return null;
        return parts.every((p, i) => p === e.parts[i]) ? e : { ...e, parts: parts as Expr[] };
      }
      default:
        return e;
    }
  }

  private impliedFamily(): "ip" | "ip6" | undefined {
    if (this.ctx.family === "ip" || this.ctx.family === "ip6") return this.ctx.family;
    if (this.ctx.family !== "inet") return undefined;
    if (this.l3proto === "ipv4" || this.l3proto === "ipv6") return this.l3proto === "ipv4" ? "ip" : "ip6";
    const families = new Set(this.conds.flatMap((c) => (c.kind === "family" ? [c.family] : [])));
    if (families.size !== 1) return undefined;
    return families.has(4) ? "ip" : "ip6";
  }

  private refuse(e: Expr, message: string): null {
    this.m.error(e.span, `${message} (nft refuses the rule)`);
    this.m.invalid = true;
    return null;
  }

  /**
   * `xt match NAME` / `xt target NAME`: an iptables extension in a rule iptables-nft wrote, which
   * nft lists but cannot translate (`-m recent`, `-j CHECKSUM`). A match is an unknown condition;
   * a target decides as the iptables target does when fwlint models it (CHECKSUM, CT, ... go on
   * with the next rule), and is an action fwlint does not model otherwise.
   */
  private xt(s: EffectStmt): void {
    const x = xtOf(s);
    if (x === undefined || x.type === "match") {
      const seen = this.m.opaqueXt;
      if (seen.uses++ === 0) seen.at = s.span;
      seen.names.add(x?.name ?? s.text);
      return this.unknown(s.text, `the iptables extension '${x?.name ?? s.text}' (an xt match of iptables-nft) is not modelled`);
    }
    if (x.type === "watcher") {
      this.effect ??= s.text;
      return;
    }
    const kind = TARGETS.get(x.name)?.kind;
    if (kind === "continue") {
      this.effect ??= s.text;
      return;
    }
    if (kind === "reject") return this.decide({ kind: "reject" });
    this.decide({ kind: "unknown", target: s.text });
  }

  private verdict(v: Verdict): Action {
    switch (v.kind) {
      case "accept":
      case "drop":
      case "return":
        return { kind: v.kind };
      case "continue":
        return { kind: "continue", target: "continue" };
      case "queue":
        return { kind: "unknown", target: v.text };
      case "jump":
      case "goto": {
        if (v.anonymous) {
          const name = this.m.anonymousChain(this.ctx, v.anonymous, this.line);
          return { kind: v.kind, chain: name };
        }
        return { kind: v.kind, chain: v.target };
      }
    }
  }

  /**
   * The elements of an anonymous or named map, and for a map only something outside the ruleset
   * fills (its elements time out or it is `flags dynamic`, and no rule updates it: see
   * filledFromOutside) the unknown "added since" its elements are read without (null when they
   * cannot be listed).
   */
  private mapContents(map: Extract<Expr, { kind: "set" | "setref" }>, key: Expr, text: string): { els: SetElement[]; added?: Condition } | null {
    if (map.kind === "setref") {
      const st = this.m.setState(this.ctx, map);
      const parts = (key.kind === "concat" ? key.parts : [key]).map(leftOf);
      if (st?.dynamic && st.def.kind === "map" && parts.every((l) => l !== null) && filledFromOutside(st, parts as Left[], "==")) {
        const els = this.mapElements(map, key, true);
        if (els === null) return null;
        return { els, added: addedSince(addedTo(st, map.name, text), keyedBySource(parts as Left[], st)) };
      }
    }
    const els = this.mapElements(map, key);
    return els === null ? null : { els };
  }

  /** The elements of an anonymous or named map (null when they cannot be listed; `outside`: a map filled from outside, its listing read as it is). */
  private mapElements(map: Extract<Expr, { kind: "set" | "setref" }>, key: Expr, outside = false): SetElement[] | null {
    if (map.kind === "set") return map.elements;
    const st = this.m.setState(this.ctx, map);
    if (st && st.def.kind !== "map") {
      this.m.error(map.span, `@${map.name} is a set, not a map: a lookup needs 'map ${map.name} { type ... : ... }'`);
      this.m.invalid = true;
      return null;
    }
    if (st) {
      try {
        checkSetType(key, map, st.def);
      } catch (e) {
        if (!(e instanceof BadValue)) throw e;
        this.m.error(e.at.span, e.message.replace(/^set @/, "map @"));
        this.m.invalid = true;
        return null;
      }
    }
    if (!st || (st.dynamic && !outside)) return null;
    return st.elements;
  }

  private vmap(s: Extract<Stmt, { kind: "vmap" }>): void {
    if (this.action !== undefined || this.expansion !== undefined) return;
    const text = `${exprText(s.key)} vmap ${exprText(s.map)}`;
    const contents = this.mapContents(s.map, s.key, text);
    if (contents === null) {
      this.unknown(text, s.map.kind === "setref" ? `the contents of map @${s.map.name} are not known (dynamic or undeclared)` : "not modelled");
      this.decide({ kind: "unknown", target: "vmap" });
      return;
    }
    const { els, added } = contents;
    const key = this.withCtFamily(s.key);
    if (key === null) return;
    if (s.map.kind === "set") this.anonymousConflicts(key, els, "the verdict map");
    this.expansion = this.perElement(
      key,
      els,
      (el) => {
        if (el.data?.kind === "verdict") return { conditions: [], action: this.verdict(el.data.verdict) };
        this.m.error(el.span, `expected a verdict for element ${exprText(el.key)} of the verdict map`);
        return null;
      },
      added && { condition: added, action: { kind: "unknown", target: "vmap" } },
    );
  }

  /** Whether a transport protocol was known at the rule's NAT statement (see ProtocolContext.transportKnown). */
  private natTransport = false;

  private nat(s: NatStmt): void {
    this.natTransport = this.protocols.transportKnown;
    if (this.action !== undefined || this.expansion !== undefined) return;
    const lookup = s.addr?.kind === "map" ? s.addr : s.port?.kind === "map" ? s.port : undefined;
    if (!lookup) return this.decide(this.m.natAction(s, s.addr, s.port, this.ctx, this.conds, this.protocols.network));
    const contents = this.mapContents(lookup.map, lookup.key, `${exprText(lookup.key)} map ${exprText(lookup.map)}`);
    if (contents === null) {
      this.unknown(`${exprText(lookup.key)} map ${exprText(lookup.map)}`, "the NAT map's contents are not known (dynamic or undeclared)");
      return this.decide({ kind: "unknown", target: `${s.type} (map)` });
    }
    const { els, added } = contents;
    if (lookup.map.kind === "set") this.anonymousConflicts(lookup.key, els, `the ${s.type} map`);
    const addedRewrite = added && { condition: added, action: { kind: "unknown", target: `${s.type} (map)` } as Action };
    this.expansion = this.perElement(lookup.key, els, (el) => {
      if (!el.data) return null;
      const extra: Condition[] = [];
      let addr: Expr | undefined = s.addr;
      let port: Expr | undefined = s.port;
      if (lookup === s.addr) {
        if (el.data.kind === "concat" && el.data.parts.length === 2) [addr, port] = el.data.parts as [Expr, Expr];
        else addr = el.data;
      } else port = el.data;
      const action = this.m.natAction(s, addr, port, this.ctx, extra, this.protocols.network);
      return { conditions: extra, action };
    }, addedRewrite);
  }

  /**
   * Elements of an anonymous map, or set of concatenations, that nft refuses together (see
   * element-overlaps.ts): a key given twice with other data, and - where a key is a range or
   * prefix, which makes it an interval map or set - overlapping keys. Keys fwlint reads as no
   * number ranges (ct states, marks) are not checked.
   */
  private anonymousConflicts(key: Expr, els: readonly SetElement[], what: string, kind: "set" | "map" = "map"): void {
    const parts = key.kind === "concat" ? key.parts : [key];
    const doms = parts.map((p) => leftOf(p)?.dom);
    if (doms.some((d) => d === undefined)) return;
    const boxes = elementBoxes(els, doms as Domain[], what);
    if (!boxes) return;
    const interval = boxes.lo.some((v, i) => v !== boxes.hi[i]);
    const { conflicts, total } = elementConflicts(boxes, interval, sameData, MAX_CONFLICTS_TOLD, parts.length > 1);
    this.m.reportConflicts(what, kind, parts.length > 1, conflicts, total);
  }

  /**
   * One rule per map element: the key's conditions for that element, then what `each` adds. The
   * catch-all element `*` comes last and matches every key no other element has.
   */
  private perElement(key: Expr, els: SetElement[], each: (el: SetElement) => Expansion | null, added?: { condition: Condition; action: Action }): Expansion[] {
    const out: Expansion[] = [];
    const others = els.filter((e) => !isCatchAll(e.key));
    const all = els.find((e) => isCatchAll(e.key));
    let made = others.map((el) => ({ el, x: each(el) }));
    // A key drawn from a known range (numgen, jhash: a load balancer) that the elements cover:
    // the lookup never misses, so the element met last takes whatever the others did not (its
    // own key test would be one more condition fwlint cannot decide, letting packets fall through
    // that never do). Only where every element ends the chain for its packets: after a jump
    // returns, they meet the next elements' rules, which must still test their keys. (Not in a map
    // filled from outside: its elements time out.)
    const domain = all || added ? undefined : generatorRange(key);
    let last: SetElement | undefined;
    if (domain && made.every((m) => m.x !== null && ENDS_CHAIN.has(m.x.action.kind))) {
      const inside = made.filter((m) => {
        const r = elementRange(m.el.key);
        return r === undefined || (r[0] <= domain[1] && r[1] >= domain[0]);
      });
      const ranges = inside.map((m) => elementRange(m.el.key));
      if (inside.length > 0 && ranges.every((r) => r !== undefined) && coversRange(ranges as [number, number][], domain)) {
        last = inside[inside.length - 1]!.el;
        made = inside; // elements outside the range never match
      }
    }
    for (const { el, x } of made) {
      if (!x) continue;
      const keyConds = el === last ? [] : this.m.match(key, "==", el.key, this.ctx, `${exprText(key)} ${exprText(el.key)}`, true);
      // (named so in findings: alone, "element 1 matches every packet" would read as a mistake)
      out.push({ conditions: [...keyConds, ...x.conditions], action: x.action, element: el === last ? `${exprText(el.key)}, whatever the others leave` : exprText(el.key) });
    }
    const x = all && each(all);
    // A key no element lists: what something outside may have added since, then the catch-all.
    let unlisted: Condition[] | undefined;
    if ((added || x) && others.length > 0) {
      const rest: Expr = { kind: "set", elements: others, span: (all ?? others[0]!).span };
      unlisted = this.m.match(key, "!=", rest, this.ctx, `${exprText(key)} != ${exprText(rest)}`);
    }
    if (added) {
      // (with none listed, the key's own prerequisites: `udp dport` only of UDP packets)
      const conditions = unlisted ?? distinctConditions((key.kind === "concat" ? key.parts : [key]).flatMap(dependencies));
      out.push({ conditions: [...conditions, added.condition], action: added.action, element: "an element added from outside" });
    }
    if (x) {
      const conditions = unlisted ?? this.m.match(key, "==", { kind: "set", elements: [all!], span: all!.span }, this.ctx, `${exprText(key)} *`);
      out.push({ conditions: [...conditions, ...x.conditions], action: x.action, element: "*" });
    }
    return out;
  }
}

class Mapper {
  readonly diagnostics: Diagnostic[] = [];
  readonly chains = new Map<string, Chain>();
  private pending: { ctx: RuleCtx; name: string; rules: RuleNode[] }[] = [];
  /** Set when the rule being mapped has a value nft would refuse: the rule is reported and left out, as nft loads none of it. */
  invalid = false;
  /** The empty named sets the rule being mapped looks packets up in (Rule.emptySets). */
  emptyLookups: string[] = [];
  /** iptables extensions (`xt match NAME`) nft listed without their options, read as unknown conditions: where first, and which. */
  readonly opaqueXt: { at: SourceSpan; names: Set<string>; uses: number } = { at: { file: "", line: 0, column: 0 }, names: new Set(), uses: 0 };

  constructor(private readonly file: string) {}

  /** An error at `at`; `unresolved`: it names what the file does not define (see Diagnostic). */
  warning(at: SourceSpan, message: string): void {
    this.diagnostics.push({ severity: "warning", message, file: at.file || this.file, line: at.line, column: at.column });
  }

  error(at: SourceSpan, message: string, unresolved?: boolean): void {
    this.diagnostics.push({ severity: "error", message, file: at.file || this.file, line: at.line, column: at.column, ...(unresolved ? { unresolved: true as const } : {}) });
  }

  /** Errors for conflicting elements (elementConflicts), the count past those told after the last of them as the file reads. */
  reportConflicts(what: string, kind: "set" | "map", concat: boolean, conflicts: readonly ElementConflict<SetElement>[], total: number): void {
    for (const c of conflicts) this.error(c.later.span, conflictMessage(what, kind, concat, c));
    if (total > conflicts.length) {
      const last = conflicts.map((c) => c.later.span).reduce((a, b) => (b.line > a.line || (b.line === a.line && b.column > a.column) ? b : a));
      this.error(last, `${what}: ${total - conflicts.length} more elements conflict as these do (the first ${conflicts.length} are reported)`);
    }
  }

  setState(ctx: RuleCtx, ref: Extract<Expr, { kind: "setref" }>): SetState | undefined {
    const st = ctx.table.sets.get(ref.name);
    if (!st) this.error(ref.span, `set @${ref.name} is not declared in table ${tkey(ctx.table.ref)}`, true);
    else st.used = true;
    return st;
  }

  /** The set a match looks packets up in (setState), noted when it holds nothing and nothing fills it (Rule.emptySets). */
  private lookup(ctx: RuleCtx, ref: Extract<Expr, { kind: "setref" }>, op: MatchOp): SetState | undefined {
    const st = this.setState(ctx, ref);
    if (st && st.elements.length === 0 && !st.dynamic && op !== "!=") this.emptyLookups.push(ref.name);
    return st;
  }

  /**
   * A generated user chain for `jump { ... }` on `line`; its rules are mapped after the current
   * chain. Named as the file shows it - "{ ... } of line 8" (then "#2" ...) - which no chain of
   * the file can be called (nft's names are single words).
   */
  anonymousChain(ctx: RuleCtx, rules: RuleNode[], line: number): string {
    let n = 1;
    const base = `{ ... } of line ${line}`;
    let name = base;
    while (ctx.table.chains.has(name) || this.pending.some((p) => p.ctx.table === ctx.table && p.name === name)) name = `${base} #${++n}`;
    this.pending.push({ ctx, name, rules });
    return name;
  }

  takePending(): { ctx: RuleCtx; name: string; rules: RuleNode[] }[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  /** Interface names indexLookups warned of. */
  private readonly indexWarned = new Set<string>();

  /**
   * `iif eth0`, `oif { wg0, ppp0 }`: nft turns each name into the interface's index when it loads
   * the file, so the file does not load where the interface does not exist then (at boot, before a
   * VPN or PPP link is up), and the rule stops matching once the interface is created again.
   * Warned once per name (the loopback interface always exists).
   */
  private indexLookups(items: readonly Expr[], what: string): void {
    const named: Extract<Expr, { kind: "value" }>[] = [];
    for (const x of items) {
      if (x.kind !== "value" || x.text === "lo" || x.text.startsWith("$") || /^[0-9]+$/.test(x.text) || this.indexWarned.has(x.text)) continue;
      this.indexWarned.add(x.text);
      named.push(x);
    }
    if (named.length === 0) return;
    const names = named.map((x) => x.text);
    const one = names.length === 1;
    const list = one ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    this.warning(
      named[0]!.span,
      `'${what} ${one ? list : `{ ${names.join(", ")} }`}' is looked up as an interface index when nft loads the file: it fails to load where ${list} ${one ? "does" : "do"} not exist yet, and the rule stops matching when ${one ? "it is" : "one is"} created again; '${what}name' matches by name`,
    );
  }

  /** Octal numbers octalValues warned of. */
  private readonly octalWarned = new Set<string>();

  /**
   * `tcp dport 022`, `ip ttl 077`: nft reads a number with a leading 0 as octal, so the rule
   * matches port 18, not 22. Almost always a typo or padding: warned once per number.
   */
  private octalValues(items: readonly Expr[], what: string): void {
    for (const x of items) {
      const parts = x.kind === "range" ? [x.low, x.high] : [x];
      for (const p of parts) {
        if (p.kind !== "value") continue;
        for (const word of p.text.split("-")) {
          const value = octalReading(word);
          if (value === undefined || this.octalWarned.has(word)) continue;
          this.octalWarned.add(word);
          this.warning(p.span, `'${word}' after '${what}' is an octal number to nft: it matches ${value}, not ${Number(word)} (write ${Number(word)}, without the leading 0, if ${Number(word)} is meant)`);
        }
      }
    }
  }

  /**
   * `left OP right` -> conditions; Unknown (with the text) for what the model cannot say. `mapKey`:
   * `right` is the key of a map's element, where nft takes a keyword that is a constant as the
   * integer it stands for (`iifname vmap { icmpv6 : drop }` loads).
   */
  match(left: Expr, op: MatchOp, right: Expr, ctx: RuleCtx, text: string, mapKey = false): Condition[] {
    try {
      if (right.kind === "setref") {
        const st = ctx.table.sets.get(right.name);
        if (st) checkSetType(left, right, st.def);
      }
      if (right.kind === "set" && right.listDefine !== undefined && !isBitmaskKey(left)) throw new BadValue(right, listDefineError(right.listDefine, `'${exprText(left)}'`));
      if (left.kind === "concat") return this.concat(left, op, right, ctx, text);
      const masked = ctStateMask(left, op, right);
      if (masked === "always") return [];
      if (masked === "never") return [{ kind: "or", anyOf: [] }];
      if (masked) return [{ kind: "ctstate", states: masked.states, ...(masked.negate ? { negate: true as const } : {}) }];
      checkLoneDash(right);
      checkCommaList(left, right);
      checkSymbols(left, right);
      checkIntegerValues(left, right, mapKey);
      if (!mapKey) checkStringConstant(left, right);
      const l = leftOf(left);
      if (!l) {
        // a named set must exist all the same (nft refuses the file), whatever is looked up in it
        if (right.kind === "setref") this.setState(ctx, right);
        return [...dependencies(left), ...connectionOnly(left), { kind: "unknown", text: clip(text), reason: `${exprText(left)} is not modelled`, ...(isGenerator(left) || writtenBySender(left) ? { drawn: true as const } : {}), ...ordinaryOf(left, op, right, ctx) }];
      }
      const own = (c: Condition[]) => (l.original ? originalDirection(c, l.original, text, ctx) : c);
      if (hasCatchAll(right, ctx)) return op === "!=" ? [...l.pre, { kind: "or", anyOf: [] }] : l.pre;
      if (right.kind === "setref") {
        const st = this.lookup(ctx, right, op);
        if (!st) return [...l.pre, { kind: "unknown", text: clip(text), reason: `set @${right.name} is not declared` }];
        const listed = (o: MatchOp): Condition[] => {
          const key = `${JSON.stringify(l.dom, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}|${o}`;
          let c = st.cache.get(key);
          if (!c) {
            const what = exprText(left);
            c = domainCond(l.dom, o, setPieces(l.dom, st.elements, what), true, what);
            st.cache.set(key, c);
          }
          return c;
        };
        if (st.dynamic) {
          if (!filledFromOutside(st, [l], op)) return [...l.pre, { kind: "unknown", text: clip(text), reason: `the contents of set @${right.name} change at run time (${st.dynamic})` }];
          return [...l.pre, ...outsideFilled(st, right.name, op, listed, text, [l])];
        }
        return [...l.pre, ...own(listed(op))];
      }
      // (`tcp flags syn,ack` is one value: the flags it lists)
      const items = right.kind === "list" && l.dom.d === "tcpflags" ? [right] : listedValues(right);
      const what = exprText(left);
      const pieces = items.map((e) => piece(l.dom, e, what));
      if (l.dom.d === "iface" && !l.dom.byName) this.indexLookups(items, what);
      if (NUMBER_DOMAINS.has(l.dom.d)) this.octalValues(items, what);
      return [...l.pre, ...own(domainCond(l.dom, op, pieces, right.kind === "set", exprText(left)))];
    } catch (e) {
      if (e instanceof BadValue) {
        // An undefined `$NAME` was reported by the text reader where it was used.
        if (!(e.at.kind === "value" && e.at.text.startsWith("$"))) this.error(e.at.span, e.message);
        this.invalid = true;
        return [{ kind: "unknown", text: clip(text), reason: "invalid value (reported as an error)" }];
      }
      if (e instanceof Unmodelled) {
        if (e.warn) this.warning(e.warn.at.span, e.warn.message);
        return [...connectionOnly(left), { kind: "unknown", text: clip(text), reason: e.reason, ...ordinaryOf(left, op, right, ctx) }];
      }
      throw e;
    }
  }

  /** `a . b OP { x . y, ... }`: an or of conjunctions, one per element (exact). */
  private concat(left: Extract<Expr, { kind: "concat" }>, op: MatchOp, right: Expr, ctx: RuleCtx, text: string): Condition[] {
    const parts = left.parts.map(leftOf);
    if (parts.some((p) => p === null) || (op !== "==" && op !== "!=" && op !== "implicit")) {
      if (right.kind === "setref") this.setState(ctx, right);
      // (the values of the parts fwlint reads are read all the same: nft refuses a bad one)
      if (right.kind === "set") {
        for (const el of right.elements) {
          if (isCatchAll(el.key)) continue;
          if (el.key.kind !== "concat" || el.key.parts.length !== parts.length) throw new BadValue(el.key, `expected ${parts.length} values joined by '.' for '${exprText(left)}', found '${exprText(el.key)}'`);
          el.key.parts.forEach((v, i) => (parts[i] ? piece(parts[i]!.dom, v, exprText(left.parts[i]!)) : refuseKeyword(v, exprText(left.parts[i]!))));
        }
      }
      return [...dependencies(left), ...connectionOnly(left), { kind: "unknown", text: clip(text), reason: "a concatenation with a part fwlint does not model" }];
    }
    const ls = parts as Left[];
    // A part read from the original tuple: the whole match holds only where that part is the packet's.
    const original = ls.some((l) => l.original === "dst") ? "dst" : ls.some((l) => l.original === "src") ? "src" : undefined;
    const own = (c: Condition[]) => (original ? originalDirection(c, original, text, ctx) : c);
    const pre = distinctConditions(ls.flatMap((l) => l.pre));
    if (hasCatchAll(right, ctx)) return op === "!=" ? [...pre, { kind: "or", anyOf: [] }] : pre;
    let st: SetState | undefined;
    if (right.kind === "setref") {
      st = this.lookup(ctx, right, op);
      if (!st) return [...pre, { kind: "unknown", text: clip(text), reason: `set @${right.name} is not declared` }];
      if (st.dynamic) {
        if (original !== undefined || !filledFromOutside(st, ls, op)) return [...pre, { kind: "unknown", text: clip(text), reason: `the contents of set @${right.name} change at run time (${st.dynamic})` }];
        const known = st;
        const listed = (o: MatchOp): Condition[] => this.listedConcat(left, ls, o, known.elements.map((e) => e.key), known);
        return [...pre, ...outsideFilled(st, right.name, op, listed, text, ls)];
      }
    }
    return [...pre, ...own(this.listedConcat(left, ls, op, elementsOf(right, ctx), st))];
  }

  /** `left OP { elements }` for a concatenation of modelled parts: an or of one conjunction per element (cached on a named set's state). */
  private listedConcat(left: Extract<Expr, { kind: "concat" }>, ls: readonly Left[], op: MatchOp, els: readonly Expr[], st: SetState | undefined): Condition[] {
    const key = `concat|${exprText(left)}|${op}`;
    const cached = st?.cache.get(key);
    if (cached) return cached;
    const anyOf: Condition[][] = [];
    for (const el of els) {
      const vals = el.kind === "concat" ? el.parts : null;
      if (!vals || vals.length !== ls.length) throw new BadValue(el, `expected ${ls.length} values joined by '.' for '${exprText(left)}', found '${exprText(el)}'`);
      anyOf.push(ls.flatMap((l, i) => domainCond(l.dom, "==", [piece(l.dom, vals[i]!, exprText(left.parts[i]!))], false, exprText(left.parts[i]!))));
    }
    const c: Condition[] = [anyOf.length === 1 && op !== "!=" ? { kind: "or", anyOf } : { kind: "or", anyOf, ...(op === "!=" ? { negate: true } : {}) }];
    st?.cache.set(key, c);
    return c;
  }

  /** dnat/snat/masquerade/redirect with a known address and port -> the model's NAT action. */
  /** `network`: the family the rule's matches make its packets (see ProtocolContext), which an inet table's NAT address takes. */
  natAction(s: NatStmt, addr: Expr | undefined, port: Expr | undefined, ctx: RuleCtx, conds: Condition[], network?: "ip" | "ip6" | "arp"): Action {
    const tableFamily: Family | undefined = ctx.family === "ip" || network === "ip" ? 4 : ctx.family === "ip6" || network === "ip6" ? 6 : undefined;
    const guess = addr && (addr.kind === "value" || addr.kind === "prefix") ? ((addr.kind === "value" ? addr.text : addr.addr).includes(":") ? 6 : 4) : addr?.kind === "range" && addr.low.kind === "value" ? (addr.low.text.includes(":") ? 6 : 4) : undefined;
    const family: Family | undefined = s.family === "ip" ? 4 : s.family === "ip6" ? 6 : tableFamily ?? guess;
    const unknown = (why: string): Action => ({ kind: "unknown", target: `${s.type} (${why})` });
    const to: NatRewrite = {};
    let addrText = "";
    if (addr) {
      if (!family) return unknown("address family unknown");
      let r: AddrRange | null = null;
      try {
        const p = piece({ d: "addr", field: "dst", family }, addr, s.type) as { r: AddrRange[] };
        r = p.r.length === 1 ? p.r[0]! : null;
      } catch (e) {
        if (e instanceof BadValue) {
          this.error(e.at.span, e.message);
          this.invalid = true;
          return unknown("invalid address");
        }
        if (!(e instanceof Unmodelled)) throw e;
        if (e.warn) this.warning(e.warn.at.span, e.warn.message);
      }
      if (!r) return unknown(`to ${exprText(addr)}`);
      to.addr = r;
      addrText = exprText(addr);
      // `dnat ip prefix to ...` (netmap): each address keeps its host bits in the target block
      if (s.flags?.some((f) => f === "prefix" || f === "netmap") && isPrefixRange(r)) to.map = { kind: "prefix" };
    }
    if (port) {
      let r: [number, number] | null = null;
      try {
        r = (piece({ d: "port", field: "dport", proto: "tcp" }, port, s.type) as { r: [number, number] }).r;
      } catch (e) {
        if (e instanceof BadValue) {
          this.error(e.at.span, e.message);
          this.invalid = true;
          return unknown("invalid port");
        }
        if (!(e instanceof Unmodelled)) throw e;
      }
      if (!r) return unknown(`port ${exprText(port)}`);
      to.ports = r;
      if (s.flags?.some((f) => f === "random" || f === "fully-random")) to.randomPort = true;
    }
    if (addr && family) to.family = family;
    const portText = port ? exprText(port) : "";
    const target = !addr && !port ? s.type : `${s.type} to ${addr ? (family === 6 && port ? `[${addrText}]` : addrText) : ""}${port ? `:${portText}` : ""}`;
    if (addr && ctx.family === "inet" && family) conds.push(fam(family));
    if (s.type === "dnat" || s.type === "redirect") return { kind: "dnat", to, target };
    return { kind: "snat", to, target };
  }

  rules(nodes: RuleNode[], ctx: RuleCtx, chain: Chain): number {
    let count = 0;
    for (const node of nodes) {
      count++;
      let mapped: { rules: Expansion[]; comment?: string };
      this.invalid = false;
      this.emptyLookups = [];
      try {
        mapped = new RuleMapper(this, ctx).map(node);
      } catch (e) {
        if (!(e instanceof BadValue)) throw e;
        this.error(e.at.span, e.message);
        this.invalid = true;
        mapped = { rules: [] };
      }
      if (this.invalid) continue;
      for (const r of mapped.rules) {
        const rule: Rule = { id: `${ctx.chainKey}#${chain.rules.length + 1}`, conditions: r.conditions, action: r.action, span: node.span };
        if (r.element !== undefined) rule.element = r.element;
        if (r.setMark !== undefined) rule.setMark = r.setMark;
        if (r.logs) rule.logs = true;
        if (mapped.comment !== undefined) rule.comment = mapped.comment;
        if (this.emptyLookups.length > 0) rule.emptySets = [...new Set(this.emptyLookups)];
        chain.rules.push(rule);
      }
    }
    return count;
  }
}

/**
 * A rule matching on the original tuple, as one rule per conntrack-state alternative (see
 * originalDirection): exact for new connections, unknown only where packets may travel in the reply
 * direction. The alternatives are disjoint, so their order does not matter; one the rule's own
 * `ct state` excludes is left out.
 */
function byDirection(r: Expansion): Expansion[] {
  const i = r.conditions.findIndex((c) => DIRECTION_SPLITS.has(c));
  if (i < 0) return [r];
  const split = r.conditions[i] as Extract<Condition, { kind: "or" }>;
  const allowed = allowedStates(r.conditions);
  const alts = split.anyOf.filter((alt) => alt.some((c) => c.kind === "ctstate" && c.states.some((s) => allowed.has(s))));
  const kept = alts.length > 0 ? alts : split.anyOf.slice(0, 1);
  return kept.flatMap((alt) => byDirection({ ...r, conditions: [...r.conditions.slice(0, i), ...alt, ...r.conditions.slice(i + 1)] }));
}

/** The conntrack states a conjunction's own `ct state` conditions allow. */
function allowedStates(conds: readonly Condition[]): Set<CtState> {
  let allowed = new Set<CtState>(CT_STATES);
  for (const c of conds) if (c.kind === "ctstate") allowed = new Set([...allowed].filter((s) => stateHolds(c, s)));
  return allowed;
}

/** Named key types fwlint can check values of. */
const KEY_TYPES: Readonly<Record<string, Domain>> = nameTable({
  ipv4_addr: { d: "addr", field: "src", family: 4 },
  ipv6_addr: { d: "addr", field: "src", family: 6 },
  inet_service: { d: "port", field: "dport", proto: "tcp" },
  inet_proto: { d: "proto" },
  ct_state: { d: "ct" },
  icmp_type: { d: "icmptype", family: 4 },
  icmpv6_type: { d: "icmptype", family: 6 },
});

/** The domain of `type ifname` keys, where names are read (declaredDomains `names`). */
const IFNAME: Domain = { d: "iface", field: "iif", byName: true };

/**
 * The domain of each part of a set's key, or null when some part is not one fwlint checks;
 * interface names only with `names` (the element check takes their wildcards' ranges).
 */
function declaredDomains(def: SetDefinition, names = false): Domain[] | null {
  const doms = partDomains(def, names, false);
  if (doms.length === 0 || doms.some((d) => d === undefined || (!names && d.d === "iface"))) return null;
  return doms as Domain[];
}

/** The domain of each part of a set's key (or a map's data), undefined for a part fwlint does not read. */
function partDomains(def: SetDefinition, names: boolean, data: boolean): (Domain | undefined)[] {
  const typeofs = data ? def.dataTypeof : def.keyTypeof;
  const types = data ? (def.dataType ?? []) : def.keyType;
  return typeofs ? typeofs.map((e) => leftOf(e)?.dom) : types.map((t) => KEY_TYPES[t] ?? (names && t === "ifname" ? IFNAME : undefined));
}

/**
 * Whether an element's key (a part of it, in a concatenation) is a prefix, a range or an interface
 * name wildcard (`"eth*"`) - what only an interval set holds; undefined when it is none.
 */
function intervalPart(key: Expr): "prefix" | "range" | "wildcard" | undefined {
  for (const part of key.kind === "concat" ? key.parts : [key]) {
    if (part.kind === "prefix") return "prefix";
    if (part.kind === "range") return "range";
    if (part.kind === "value" && part.text.length > 1 && part.text.endsWith("*") && !part.text.endsWith("\\*")) return "wildcard";
  }
  return undefined;
}

/** Conflicting elements reported per set; past them one error tells how many more there are. */
const MAX_CONFLICTS_TOLD = 10;

/**
 * A set's elements as boxes (element-overlaps.ts): each part of the key as a range of numbers.
 * Null when one is not such a range (a name, a wildcard, a value reported as bad elsewhere): the
 * set is not checked. The addresses a rule's lookup read already (readAddresses) are not read again.
 */
function elementBoxes(elements: readonly SetElement[], doms: readonly Domain[], what: string): ElementBoxes<SetElement> | null {
  const read = doms.length === 1 ? readAddresses.get(elements) : undefined;
  if (read && read.ranges.length === elements.length && doms[0]!.d === "addr" && doms[0]!.family === read.family) {
    return { parts: 1, lo: read.ranges.map((r) => r.lo), hi: read.ranges.map((r) => r.hi), elements };
  }
  const lo: bigint[] = [];
  const hi: bigint[] = [];
  const kept: SetElement[] = [];
  const ranges: AddrRange[] = [];
  for (const el of elements) {
    if (isCatchAll(el.key)) continue;
    const parts = doms.length === 1 ? [el.key] : el.key.kind === "concat" ? el.key.parts : null;
    if (!parts || parts.length !== doms.length) return null;
    for (let k = 0; k < parts.length; k++) {
      const dom = doms[k]!;
      try {
        if (dom.d === "addr") {
          ranges.length = 0;
          addrRangesInto(dom, parts[k]!, what, ranges);
          if (ranges.length !== 1) return null;
          lo.push(ranges[0]!.lo);
          hi.push(ranges[0]!.hi);
          continue;
        }
        const p = piece(dom, parts[k]!, what);
        if (p.d === "iface") {
          const [a, b] = nameRange(p.name, p.prefix);
          lo.push(a);
          hi.push(b);
          continue;
        }
        if (p.d !== "num") return null;
        lo.push(BigInt(p.r[0]));
        hi.push(BigInt(p.r[1]));
      } catch (e) {
        if (e instanceof BadValue || e instanceof Unmodelled) return null;
        throw e;
      }
    }
    kept.push(el);
  }
  return { parts: doms.length, lo, hi, elements: kept };
}

/**
 * An interface name as nft keeps it in a set, IFNAMSIZ (16) bytes padded with zeros, read as a
 * number; a wildcard `eth*` the range of every name it matches (the prefix padded with zeros,
 * then with 0xff).
 */
function nameRange(name: string, prefix: boolean): [bigint, bigint] {
  const bytes = Buffer.from(name).subarray(0, 16);
  let lo = 0n;
  let hi = 0n;
  for (let i = 0; i < 16; i++) {
    const b = i < bytes.length ? BigInt(bytes[i]!) : 0n;
    lo = (lo << 8n) | b;
    hi = (hi << 8n) | (i < bytes.length || !prefix ? b : 0xffn);
  }
  return [lo, hi];
}

/** What nft says of two conflicting elements of `what` (`set NAME`, `map NAME`, `the verdict map`), a `kind`, and why. */
function conflictMessage(what: string, kind: "set" | "map", concat: boolean, c: ElementConflict<SetElement>): string {
  const later = exprText(c.later.key);
  const at = `${exprText(c.earlier.key)} (line ${c.earlier.span.line})`;
  if (c.why === "data") return `${what}: key ${later} is mapped again, to ${dataText(c.later)}, after ${at} mapped it to ${dataText(c.earlier)}: the kernel refuses the file ("File exists")`;
  if (concat) return `${what}: element ${later} overlaps ${at}: the kernel refuses overlapping elements of a concatenated interval ${kind} ("File exists")`;
  return `${what}: element ${later} overlaps ${at}: nft refuses overlapping elements of an interval ${kind} ("conflicting intervals specified") unless it has auto-merge`;
}

/** A map element's data as written (a set element has none). */
function dataText(e: SetElement): string {
  return e.data === undefined ? "nothing" : exprText(e.data);
}

/** Do two elements of one key carry the same data (both none in a set)? */
function sameData(a: SetElement, b: SetElement): boolean {
  return dataText(a) === dataText(b);
}

/** Statements that take the packet out of the ruleset's hands (forwarded, diverted to a socket, answered). */
const DIVERTS: ReadonlySet<string> = new Set(["fwd", "tproxy", "synproxy"]);

/**
 * Whether a lookup of `key` among `elements` always finds one: a catch-all `*`, or a key drawn from
 * a known range (numgen, jhash: a load balancer) that the elements' keys cover (see generators.ts).
 */
function neverMisses(key: Expr, elements: readonly SetElement[]): boolean {
  if (elements.some((e) => isCatchAll(e.key))) return true;
  const domain = generatorRange(key);
  if (!domain) return false;
  const ranges = elements.map((e) => elementRange(e.key));
  return ranges.every((r) => r !== undefined) && coversRange(ranges as [number, number][], domain);
}

/**
 * A constant among the parts of a concatenation `s` looks up - a match's left side, a verdict map's
 * key, the key of any map lookup - that nft refuses, and the error to tell. Looked up in an
 * anonymous set or map (`ip daddr . 80 { 10.0.0.1 . 80 }`, `ip daddr . 80 vmap { ... }`) a constant
 * has no type, as nft gives each part the type of what it reads ("Can't parse symbolic invalid
 * expressions"); in a named set or map the set's declared type is the constant's (`ip saddr . "lo"
 * @s` with `type ipv4_addr . iface_index`: newer nft takes it, 1.0.6 does not), as in a set
 * statement (`add @s { ip daddr . 80 }`). A keyword, a range or a prefix there is nft's syntax error.
 */
function constantInKey(s: Stmt): { part: Expr; message: string } | undefined {
  const keys: { key: Expr; typed: boolean }[] = [];
  const look = (e: Expr | undefined, target: Expr | undefined): void => {
    if (!e) return;
    if (target) keys.push({ key: e, typed: target.kind === "setref" });
    for (const m of mapLookups(e)) keys.push({ key: m.key, typed: m.map.kind === "setref" });
  };
  if (s.kind === "match") look(s.left, s.right);
  else if (s.kind === "vmap") look(s.key, s.map);
  else if (s.kind === "nat") [s.addr, s.port].forEach((e) => look(e, undefined));
  else if (s.kind === "effect") [s.chooser, s.assign?.value].forEach((e) => look(e, undefined));
  for (const { key, typed } of keys) {
    if (key.kind !== "concat") continue;
    for (const part of key.parts) {
      const text = exprText(part);
      if (part.kind === "value" && !part.quoted && keywordAsValue(part.text)) return { part, message: `'${text}' in '${exprText(key)}' is an nft keyword: each part of a concatenation that is looked up reads the packet (ip daddr, tcp dport, meta mark ...) (nft: "syntax error")` };
      if (part.kind === "range" || part.kind === "prefix" || part.kind === "set" || part.kind === "list") return { part, message: `'${text}' in '${exprText(key)}' is a ${part.kind === "range" ? "range" : part.kind === "prefix" ? "prefix" : "set"}: each part of a concatenation that is looked up reads the packet (ip daddr, tcp dport, meta mark ...), and the ranges and prefixes go in the set (nft: "syntax error")` };
      if (part.kind === "value" && !typed && !part.text.startsWith("$")) return { part, message: `'${text}' in '${exprText(key)}' is a constant: each part of a concatenation looked up in an anonymous set or map reads the packet (ip daddr, tcp dport, meta mark ...), and nft cannot tell what type a constant there has ("Can't parse symbolic invalid expressions")` };
    }
  }
  return undefined;
}

/** The map lookups (`KEY map { ... }`) in `e`, outermost first. */
function mapLookups(e: Expr): Extract<Expr, { kind: "map" }>[] {
  const out: Extract<Expr, { kind: "map" }>[] = [];
  const walk = (x: Expr): void => {
    if (x.kind === "map") out.push(x);
    else subExpressions(x).forEach(walk);
  };
  walk(e);
  return out;
}

/** The first bare value in `e` that is a keyword nft refuses as a value (keywordAsValue). */
function keywordIn(e: Expr): Extract<Expr, { kind: "value" }> | undefined {
  if (e.kind === "value") return !e.quoted && keywordAsValue(e.text) ? e : undefined;
  for (const x of subExpressions(e)) {
    const found = keywordIn(x);
    if (found) return found;
  }
  return undefined;
}

/**
 * Throws BadValue at a bare keyword where a value stands: nft's grammar has no place for one there,
 * even in a part of a key fwlint does not read (`ip saddr . @nh,32,32 { 10.0.0.2 . set }`).
 */
function refuseKeyword(v: Expr, after: string): void {
  if (v.kind === "value" && !v.quoted && keywordAsValue(v.text)) throw new BadValue(v, keywordValueError(v.text, after, "a value"));
}

/** A word that starts with a digit and is no number to nft (scannedAsNumber), where a number or a name stands. */
function digitWordError(word: string, after: string): string {
  if (/^0\d*[89]\d*$/.test(word)) return `expected a number or a name after '${after}', found '${word}': nft reads a number with a leading 0 as octal, where 8 and 9 are no digits (write ${BigInt(word)}, or 0x${BigInt(word).toString(16)})`;
  return `expected a number or a name after '${after}', found '${word}': nft reads a word that starts with a digit as a number (hexadecimal is written 0x...), and a name starts with a letter`;
}

/** A packet or connection mark key, alone or masked (`meta mark`, `ct mark and 0xff`). */
function isMarkKey(e: Expr): boolean {
  if (e.kind === "binop") return isMarkKey(e.left);
  return (e.kind === "meta" && e.key === "mark") || (e.kind === "ct" && e.key === "mark" && e.direction === undefined);
}

/**
 * Throws BadValue at a number over 32 bits compared with or written to a mark, or masking one
 * (nft: "Value N exceeds valid range 0-4294967295"), at a word there that starts with a digit and
 * is no number (`0ff`: nft's scanner reads the number 0, then a word), and at an address or an
 * address prefix there (`meta mark 10.0.0.0/8`: nft "Could not parse packet mark"). A map's keys
 * are the key's values, not marks (`meta mark set ip saddr map { 10.0.0.1 : 1 }`).
 */
function checkMarkValues(key: Expr, value: Expr, assigned = false): void {
  if (!isMarkKey(key)) return;
  const walk = (e: Expr, after: string): void => {
    switch (e.kind) {
      case "binop":
        walk(e.left, after);
        return walk(e.right, `${exprText(e.left)} ${e.op}`);
      case "map":
        if (e.map.kind === "set") for (const el of e.map.elements) if (el.data) walk(el.data, after);
        return;
      case "range":
      case "list":
      case "set":
      case "prefix":
      case "value":
        return checkMarkValue(e, after);
      default:
        return;
    }
  };
  walk(key, exprText(key));
  walk(value, assigned ? `${exprText(key)} set` : exprText(key));
}

/**
 * Throws BadValue where a mark is set from what the packet holds of another type (`meta mark set
 * tcp dport`, `ct mark set ip saddr & 0xff`): nft takes a mark, or a plain integer, there
 * ("datatype mismatch: expected packet mark, expression has type ..."). (A map's data are the
 * mark's values: `meta mark set tcp dport map { 22 : 1 }` loads.)
 */
function checkMarkSource(key: Expr, value: Expr): void {
  if (!isMarkKey(key)) return;
  let source = value;
  while (source.kind === "binop") source = source.left;
  const type = source.kind === "map" ? undefined : keyDatatype(source);
  if (type !== undefined && type !== "mark") {
    throw new BadValue(source, `'${exprText(key)} set ${exprText(value)}': '${exprText(source)}' is ${/^[aeiou]/.test(type) ? "an" : "a"} ${type}, and a mark is set from a mark or a number (nft: "datatype mismatch: expected packet mark")`);
  }
}

/** Throws BadValue at what in `e` - a mark value, a range, prefix, list or set of them - nft cannot read as a mark (checkMarkValues). */
function checkMarkValue(e: Expr, after: string): void {
  if (e.kind === "prefix") {
    if (isAddressText(e.addr)) throw new BadValue(e, markAddressError(`${e.addr}/${e.length}`, after));
    return;
  }
  if (e.kind !== "value") return subExpressions(e).forEach((x) => checkMarkValue(x, after));
  if (!e.quoted && isAddressText(e.text)) throw new BadValue(e, markAddressError(e.text, after));
  // (a word that starts with a digit and is no number nft's scanner reads - '08', '1h' - is no mark either)
  if (!e.quoted && !NFT_NUMBER.test(e.text) && /^\d/.test(e.text)) throw new BadValue(e, digitWordError(e.text, after));
  const n = parseCInt(e.text, Number.MAX_SAFE_INTEGER);
  if (n !== null && n > 0xffffffff) throw new BadValue(e, `mark value ${e.text} is over 32 bits: a mark is 0 to 0xffffffff (nft: "Value ${n} exceeds valid range 0-4294967295")`);
}

/** An IPv4 or IPv6 address as written (a dotted quad, or groups around ':'). */
function isAddressText(text: string): boolean {
  return parseIPv4Strict(text) !== null || (text.includes(":") && parseIPv6(text) !== null);
}

function markAddressError(found: string, after: string): string {
  return `expected a mark (a 32-bit number, or a name from /etc/iproute2/rt_marks) after '${after}', found the address ${found} (nft: "Could not parse packet mark")`;
}

/** A 32-bit number as nft writes one (decimal or 0x hex; read as C reads integers, as iptables' marks are). */
function markNumber(e: Expr): number | undefined {
  return e.kind === "value" ? (parseCInt(e.text, 0xffffffff) ?? undefined) : undefined;
}

/**
 * `meta mark 0x1`, `meta mark != 0x1`, `meta mark { 0x1, 0x2 }`, `meta mark and 0xff == 0x1`:
 * a test of the packet mark (see Condition "mark"); undefined for other forms (ranges, <, named
 * sets), which stay unknown conditions.
 */
function markTest(left: Expr, op: MatchOp, right: Expr, text: string): Condition | undefined {
  let mask = 0xffffffff;
  let key = left;
  if (key.kind === "binop" && key.op === "&") {
    const m = markNumber(key.right);
    if (m === undefined) return undefined;
    mask = m;
    key = key.left;
  }
  if (key.kind !== "meta" || key.key !== "mark") return undefined;
  if (op !== "implicit" && op !== "==" && op !== "!=") return undefined;
  const items = right.kind === "set" ? right.elements.map((x) => (x.data === undefined ? markNumber(x.key) : undefined)) : [markNumber(right)];
  if (items.length === 0 || items.some((v) => v === undefined)) return undefined;
  return { kind: "mark", mask, values: items as number[], text, ...(op === "!=" ? { negate: true } : {}) };
}

/**
 * What a `meta mark set VALUE` statement leaves in the mark: a number, or the mark itself with
 * `&`, `|`, `^` constants applied left to right (nft writes `and`, `or`, `xor` the same);
 * "unknown" for anything else (the connection's mark, a map, a hash); undefined for a statement
 * that does not set the packet mark.
 */
function markSetOf(s: EffectStmt): MarkRewrite | undefined {
  const a = s.assign;
  if (!a || a.key.kind !== "meta" || a.key.key !== "mark") return undefined;
  const only = markNumber(a.value);
  return only !== undefined ? { and: 0, xor: only } : markOps(a.value) ?? "unknown";
}

/** `meta mark OP N OP N ...` as (mark & and) ^ xor, or undefined for another expression. */
function markOps(e: Expr): { and: number; xor: number } | undefined {
  if (e.kind === "meta" && e.key === "mark") return { and: 0xffffffff, xor: 0 };
  if (e.kind !== "binop") return undefined;
  const inner = markOps(e.left);
  const v = markNumber(e.right);
  if (!inner || v === undefined) return undefined;
  const { and, xor } = inner;
  if (e.op === "&") return { and: (and & v) >>> 0, xor: (xor & v) >>> 0 };
  if (e.op === "|") return { and: (and & ~v) >>> 0, xor: (((xor & ~v) ^ v) >>> 0) };
  if (e.op === "^") return { and, xor: (xor ^ v) >>> 0 };
  return undefined;
}

/** `second` after `first`, as one rewrite. */
function composeMarks(first: MarkRewrite | undefined, second: MarkRewrite): MarkRewrite {
  if (first === undefined) return second;
  if (second === "unknown") return "unknown";
  if (first === "unknown") return second.and === 0 ? second : "unknown";
  return { and: (first.and & second.and) >>> 0, xor: (((first.xor & second.and) >>> 0) ^ second.xor) >>> 0 };
}
/** Statements that rewrite an address or port the analysis reads. */
const REWRITES = /^(ip6?|tcp|udp|udplite|sctp|dccp|th)\s+(saddr|daddr|sport|dport|ttl|hoplimit)\s+set\b/;

const isCatchAll = (e: Expr) => e.kind === "value" && e.text === "*";

/** Actions after which the chain meets no further rule for the packets they take. */
const ENDS_CHAIN: ReadonlySet<Action["kind"]> = new Set(["accept", "drop", "reject", "return", "goto", "dnat", "snat"]);

/** A set with the catch-all element `*` (nft 1.0.x maps and sets): it holds every key. */
function hasCatchAll(right: Expr, ctx: RuleCtx): boolean {
  if (right.kind === "set") return right.elements.some((e) => isCatchAll(e.key));
  if (right.kind === "setref") {
    const st = ctx.table.sets.get(right.name);
    if (st === undefined || st.dynamic) return false;
    // Mapping runs after every command: the contents no longer change.
    st.catchAll ??= st.elements.some((e) => isCatchAll(e.key));
    return st.catchAll;
  }
  return false;
}

const clip = (t: string) => (t.length > 240 ? `${t.slice(0, 237)}...` : t);

// ---------------------------------------------------------------------------------------------
// Pipelines

const PATHS: Record<PipelineKind, string[]> = nameTable({
  inbound: ["ingress", "prerouting", "input"],
  forward: ["ingress", "prerouting", "forward", "postrouting", "egress"],
  outbound: ["output", "postrouting", "egress"],
});

interface BaseChain {
  key: string;
  table: TableState;
  chain: ChainState;
  priority: number;
}

function role(b: BaseChain): Stage["role"] {
  const s = b.chain.base!;
  if (s.type === "nat") return s.hook === "prerouting" || s.hook === "output" ? "dstnat" : "srcnat";
  if (s.type === "route") return "mangle";
  if ((s.hook === "prerouting" || s.hook === "output") && b.priority < CONNTRACK_PRIORITY) return "raw";
  return "filter";
}

// ---------------------------------------------------------------------------------------------

/**
 * What nft refuses of a set's or map's elements, as errors (where, what):
 * - against the declared types, the keys and a map's data: of a set no rule reads (a rule's lookup
 *   reads those of a key fwlint models), and of one whose key has a part fwlint does not model
 *   (`typeof ip saddr . @ih,32,32`: its other parts, and no keyword in those);
 * - data on a set's element (`elements = { "eth0" : drop }`): only a map holds data ("set is not a
 *   map");
 * - a statement on an element its set does not declare (`elements = { 10.0.0.1 counter }` in a set
 *   without 'counter': "missing statement in set declaration"), but in a dynamic set, whose
 *   elements get theirs from the rule that adds them (nft lists them so), or read from nft JSON
 *   (`json`: nft -j takes an element's counter in any set);
 * - a mark that is no mark (checkMarkValue) among keys or data of type mark, used or not.
 */
function elementRefusals(name: string, s: SetState, json: boolean): { at: SourceSpan; message: string }[] {
  const out: { at: SourceSpan; message: string }[] = [];
  const what = `${s.def.kind} ${name}`;
  const refused = (err: unknown, at: SourceSpan): void => {
    if (err instanceof BadValue) out.push({ at: err.at.span.line ? err.at.span : at, message: err.message });
    else if (!(err instanceof Unmodelled)) throw err;
  };
  // (each part of `e` read as its domain's, where it has one)
  const typed = (e: Expr | undefined, doms: (Domain | undefined)[], where: string, at: SourceSpan): void => {
    if (!e || !doms.some((d) => d !== undefined)) return;
    const parts = doms.length === 1 ? [e] : e.kind === "concat" ? e.parts : null;
    try {
      if (!parts || parts.length !== doms.length) throw new BadValue(e, `expected ${doms.length} values joined by '.' ${where}, found '${exprText(e)}'`);
      parts.forEach((p, i) => (doms[i] ? piece(doms[i]!, p, what) : refuseKeyword(p, what)));
    } catch (err) {
      refused(err, at);
    }
  };
  if (!s.used || declaredDomains(s.def, true) === null) {
    const keyDoms = partDomains(s.def, true, false);
    const dataDoms = s.def.kind === "map" ? partDomains(s.def, true, true) : [];
    for (const el of s.elements) {
      if (isCatchAll(el.key)) continue;
      typed(el.key, keyDoms, `in set ${name}`, el.span);
      typed(el.data, dataDoms, `in the data of map ${name}`, el.span);
    }
  }
  const mapped = s.def.kind === "set" ? s.elements.find((e) => e.data !== undefined) : undefined;
  if (mapped) out.push({ at: mapped.span, message: `set ${name}: element ${exprText(mapped.key)} maps to ${exprText(mapped.data!)}, and only a map holds data: declare 'map ${name} { type ... : ... }' (nft: "set is not a map")` });
  if (!json && !s.def.flags.includes("dynamic")) {
    for (const el of s.elements) {
      const missing = Object.keys(el.options ?? {}).find((k) => ELEMENT_STATEMENTS.has(k) && s.def.options[k] === undefined);
      if (missing === undefined) continue;
      out.push({ at: el.span, message: `${what}: element ${exprText(el.key)} has a ${missing}, which the ${s.def.kind} does not declare: nft gives an element only the statements its declaration lists ('${missing} ...' in the ${s.def.kind}) ("missing statement in ${s.def.kind} declaration")` });
      break;
    }
  }
  // The kernel takes an element's timeout only into a set with timeouts, and its expiry only with
  // a timeout (the element's or the set's) to count it down from.
  const setTimeouts = hasTimeouts(s.def);
  for (const el of s.elements) {
    const o = el.options;
    if (o?.timeout === undefined && o?.expires === undefined) continue;
    if (!setTimeouts) {
      const which = o.timeout !== undefined ? "a timeout" : "an expiry";
      out.push({ at: el.span, message: `${what}: element ${exprText(el.key)} has ${which}, and the ${s.def.kind} has no timeouts: give it 'flags timeout' or a 'timeout' (nft: "Could not process rule: ${o.timeout !== undefined ? "Invalid argument" : "Operation not supported"}")` });
      break;
    }
    if (o.timeout === undefined && s.def.options.timeout === undefined) {
      out.push({ at: el.span, message: `${what}: element ${exprText(el.key)} has an expiry and no timeout, and the ${s.def.kind} gives none: write 'timeout T expires E' or give the ${s.def.kind} a 'timeout' (nft: "Could not process rule: Operation not supported")` });
      break;
    }
  }
  const keyMarks = s.def.keyTypeof ? s.def.keyTypeof.map(isMarkKey) : s.def.keyType.map((k) => k === "mark");
  const dataMarks = s.def.dataTypeof ? s.def.dataTypeof.map(isMarkKey) : (s.def.dataType ?? []).map((k) => k === "mark");
  if (keyMarks.includes(true) || dataMarks.includes(true)) {
    const marks = (e: Expr | undefined, which: boolean[]): void => {
      if (!e || isCatchAll(e)) return;
      const parts = which.length === 1 ? [e] : e.kind === "concat" ? e.parts : [];
      parts.forEach((p, i) => which[i] && checkMarkValue(p, what));
    };
    try {
      for (const el of s.elements) {
        marks(el.key, keyMarks);
        marks(el.data, dataMarks);
      }
    } catch (err) {
      refused(err, s.def.span);
    }
  }
  return out;
}

export function mapNft(doc: NftDocument, file: string): Ruleset {
  const m = new Mapper(file);
  const diag = (severity: Diagnostic["severity"], at: SourceSpan, message: string, unresolved?: boolean) =>
    m.diagnostics.push({ severity, message, file: at.file || file, line: at.line, column: at.column, ...(unresolved ? { unresolved: true as const } : {}) });
  const machine = new Machine(diag);
  for (const cmd of doc.commands) machine.run(cmd);
  machine.setsDeclaredLate();
  machine.objectsMapped();

  // Sets whose contents change at run time; whether any running chain rewrites destinations.
  let dnat = false;
  for (const t of machine.tables.values()) {
    const runs = ANALYSED[t.ref.family] !== undefined && !t.dormant;
    for (const s of t.sets.values()) {
      if (s.def.flags.includes("dynamic")) s.dynamic = "flags dynamic";
      else if (hasTimeouts(s.def)) s.dynamic = "its elements time out";
    }
    const visit = (n: RuleNode) => {
      for (const st of n.stmts) {
        if (st.kind === "setop") {
          const s = t.sets.get(st.set);
          if (s) {
            s.dynamic ??= `rules ${st.op} elements`;
            s.filledByRules = true;
          } else diag("error", st.span, `set @${st.set} is not declared in table ${tkey(t.ref)}`, true);
          if ((st.effects?.length ?? 0) > MAX_SET_STATEMENTS) {
            diag("error", st.effects![MAX_SET_STATEMENTS]!.span, `a set statement runs at most ${MAX_SET_STATEMENTS} statements on its element: the kernel refuses '${st.effects![MAX_SET_STATEMENTS]!.text}' (nft: "Could not process rule: Argument list too long")`);
          }
          if (s && st.timeout && !hasTimeouts(s.def)) {
            diag("error", st.timeout, `set @${st.set} has no timeouts: give it 'flags timeout' or a 'timeout' for the element's to be taken (nft: "Could not process rule: Operation not supported")`);
          }
        }
        if (runs && rewritesDestination(st)) dnat = true;
      }
    };
    for (const c of t.chains.values()) eachRule(c.rules.map((r) => r.node), visit);
    // which of the sets its rules fill are ban lists (ban-sets.ts): only a table with such a set is looked at again
    if (![...t.sets.values()].some((s) => s.filledByRules)) continue;
    const tableRules: RuleNode[] = [];
    for (const c of t.chains.values()) eachRule(c.rules.map((r) => r.node), (n) => tableRules.push(n));
    for (const [name, ban] of banLists(tableRules)) {
      const s = t.sets.get(name);
      if (s) s.ban = ban;
    }
  }

  let ruleCount = 0;
  const bases: BaseChain[] = [];
  /** Every base chain of the tables analysed, whatever its hook (see jumpRefusals). */
  const baseKeys = new Set<string>();
  const familySet = new Set<Family>();
  for (const t of machine.tables.values()) {
    const families = ANALYSED[t.ref.family];
    if (!families) {
      diag("info", t.span, `table ${tkey(t.ref)}: ${t.ref.family} tables are parsed but not analysed`);
      for (const c of t.chains.values()) {
        // (their rules are read as a dormant table's are, so that what nft refuses in them is
        // still told - the file would not load - but the chains take no part)
        const key = `${tkey(t.ref)}/${c.name}`;
        const ctx: RuleCtx = { table: t, chainKey: key, family: t.ref.family, newOnly: false, dnat: false, setElements: (ref) => m.setState(ctx, ref)?.elements ?? [] };
        m.rules(c.rules.map((r) => r.node), ctx, { name: c.name, table: tkey(t.ref), rules: [], span: c.span });
        m.takePending();
        if (!c.base) continue;
        baseChainRefusals(c, t.ref.family, diag);
      }
      continue;
    }
    // A dormant table's rules are read (and their values checked) but its chains take no part.
    const active = !t.dormant;
    if (active) for (const f of families) familySet.add(f);
    else diag("info", t.span, `table ${tkey(t.ref)} is dormant (flags dormant): the kernel runs none of its chains, so they are not analysed`);
    const ordered = [...t.chains.values()].sort((a, b) => a.order - b.order);
    for (const c of ordered) {
      const key = `${tkey(t.ref)}/${c.name}`;
      const chain: Chain = { name: c.name, table: tkey(t.ref), rules: [], span: c.span, ...(!c.base && (toolTable(tkey(t.ref)) || toolChain(c.name)) ? { implied: true as const } : {}) };
      const newOnly = c.base?.type === "nat";
      const ctx: RuleCtx = { table: t, chainKey: key, family: t.ref.family, newOnly, dnat, setElements: (ref) => m.setState(ctx, ref)?.elements ?? [] };
      if (c.base) {
        if (active) baseKeys.add(key);
        // An invalid policy (reported by the reader) is kept as not known: see unknownPolicy.
        chain.policy = c.policy?.verdict === "drop" ? "drop" : "accept";
        if (c.policy) chain.policySpan = c.policy.span;
        const priority = baseChainRefusals(c, t.ref.family, diag);
        const hookOk = HOOKS[t.ref.family].includes(c.base.hook);
        if (hookOk && (c.base.hook === "ingress" || c.base.hook === "egress")) {
          if (t.ref.family !== "netdev" && t.ref.family !== "inet") diag("error", c.base.span, `hook ${c.base.hook} is only available in netdev and inet tables`);
          const devices = c.base.devices ?? [];
          for (const d of devices) if (d.length > 15 || d === "") diag("error", c.base.span, `device '${d}': an interface name has 1 to 15 characters`);
          // Packets of other interfaces pass the chain: an accept ends only this stage.
          const field = c.base.hook === "ingress" ? "iif" : "oif";
          const comment = devices.length > 0 ? `${c.base.hook} chain bound to ${devices.join(", ")}: packets of other interfaces pass it` : `${c.base.hook} chain of unknown devices`;
          chain.rules.push({
            id: `${key}#0`,
            conditions:
              devices.length > 0
                ? [{ kind: "or", anyOf: devices.map((d): Condition[] => [{ kind: "iface", field, name: d, prefix: false }]), negate: true }]
                : [{ kind: "unknown", text: `${c.base.hook} device`, reason: "the chain's devices are not in the input (nft 1.0.6 JSON omits them)" }],
            action: { kind: "accept" },
            // (told in traces by what it does: the packet never entered the chain)
            span: { ...c.base.span, text: `(${comment})` },
            comment,
            implied: true,
          });
        }
        if (active && hookOk && (PATHS.inbound.includes(c.base.hook) || PATHS.forward.includes(c.base.hook) || PATHS.outbound.includes(c.base.hook))) bases.push({ key, table: t, chain: c, priority });
      }
      if (active) m.chains.set(key, chain);
      ruleCount += m.rules(c.rules.map((r) => r.node), ctx, chain);
      if (c.base && c.policy?.verdict === "invalid") chain.rules.push(unknownPolicy(key, c.policy));
      // Anonymous chains (`jump { ... }`), and those nested in them.
      for (let pending = m.takePending(); pending.length > 0; pending = m.takePending()) {
        for (const p of pending) {
          const akey = `${tkey(t.ref)}/${p.name}`;
          const anon: Chain = { name: p.name, table: tkey(t.ref), rules: [], span: p.rules[0]?.span ?? c.span, anonymous: true };
          if (active) m.chains.set(akey, anon);
          t.chains.set(p.name, { name: p.name, rules: [], span: anon.span, order: Number.MAX_SAFE_INTEGER });
          ruleCount += m.rules(p.rules, { ...p.ctx, chainKey: akey }, anon);
        }
      }
    }
  }

  // What nft refuses of each set's and map's elements (elementRefusals), in every table: a bridge
  // table's sets are loaded as any other's.
  for (const t of machine.tables.values()) {
    for (const [name, s] of t.sets) for (const r of elementRefusals(name, s, doc.json === true)) m.error(r.at, r.message);
  }

  // Elements nft or the kernel refuse together (overlapping intervals, a key mapped twice): the file does not load.
  for (const t of machine.tables.values()) {
    for (const [name, s] of t.sets) {
      if (!s.def.flags.includes("interval")) {
        // prefixes and ranges need an interval set: nft refuses them in any other
        const wide = s.elements.filter((e) => intervalPart(e.key) !== undefined);
        if (wide.length > 0) {
          const first = wide[0]!;
          const more = wide.length > 1 ? ` (${wide.length - 1} more of its elements are prefixes or ranges)` : "";
          m.error(first.span, `${s.def.kind} ${name}: element ${exprText(first.key)} is a ${intervalPart(first.key)}, which nft takes only in a ${s.def.kind} declared with 'flags interval' ("You must add 'flags interval' to your ${s.def.kind} declaration")${more}`);
        }
        if (s.def.kind !== "map") continue;
      }
      const concat = s.def.keyTypeof ? s.def.keyTypeof.length > 1 : s.def.keyType.length > 1;
      // (auto-merge joins elements of one key; a concatenation's the kernel checks all the same)
      const overlaps = s.def.flags.includes("interval") && (concat || s.def.options["auto-merge"] === undefined);
      if (!overlaps && s.def.kind !== "map") continue;
      const doms = declaredDomains(s.def, true);
      const boxes = doms && elementBoxes(s.elements, doms, `${s.def.kind} ${name}`);
      if (!boxes) continue;
      const { conflicts, total } = elementConflicts(boxes, overlaps, sameData, MAX_CONFLICTS_TOLD, concat);
      m.reportConflicts(`${s.def.kind} ${name}`, s.def.kind, concat, conflicts, total);
    }
  }

  // Jumps the kernel refuses: to a base chain, or deeper than its jump stack.
  for (const r of jumpRefusals(m.chains, baseKeys)) m.error(r.rule.span, r.message);

  // What the kernel refuses of a set as it is declared: more elements than its size ("Too many open
  // files in system"; with auto-merge nft may join intervals first, so those are not counted), and
  // a verdict map's jump to a chain that does not exist, whether or not a rule looks the map up.
  for (const t of machine.tables.values()) {
    for (const [name, s] of t.sets) {
      const size = s.def.options.size !== undefined ? Number(s.def.options.size) : NaN;
      if (size > 0 && s.def.options["auto-merge"] === undefined) {
        const distinct = new Set(s.elements.map((e) => exprText(e.key))).size;
        if (distinct > size) m.error(s.elements[size]!.span, `${s.def.kind} ${name} holds ${distinct} elements, more than its size ${size}: the kernel refuses it ("Too many open files in system")`);
      }
      for (const e of s.elements) {
        const v = e.data?.kind === "verdict" ? e.data.verdict : undefined;
        if (v && (v.kind === "jump" || v.kind === "goto") && !v.anonymous && !t.chains.has(v.target)) {
          m.error(e.span, `map ${name}: element ${exprText(e.key)} ${v.kind === "jump" ? "jumps" : "goes"} to chain '${v.target}', which is not declared in table ${tkey(t.ref)}`, true);
        }
      }
    }
  }
  // A rule's jump to a chain that does not exist.
  for (const c of m.chains.values()) {
    for (const r of c.rules) {
      if ((r.action.kind === "jump" || r.action.kind === "goto") && !m.chains.has(`${c.table}/${r.action.chain}`)) {
        m.error(r.span, `${r.action.kind} to chain '${r.action.chain}', which is not declared in table ${c.table}`, true);
      }
    }
  }

  const families: Family[] = familySet.size === 0 ? [4, 6] : ([4, 6] as Family[]).filter((f) => familySet.has(f));
  const pipelines: Pipeline[] = [];
  for (const family of families) {
    const mine = bases.filter((b) => ANALYSED[b.table.ref.family]!.includes(family));
    for (const kind of ["inbound", "forward", "outbound"] as PipelineKind[]) {
      const stages: Stage[] = [];
      for (const hook of PATHS[kind]) {
        // of two at one priority, the chain made later runs first: the kernel puts a new hook before
        // those of its priority (checked: `meta mark set` in the first of two priority-0 input chains
        // is not seen by the second's `meta mark 0x1 accept`)
        const on = mine.filter((b) => b.chain.base!.hook === hook).sort((a, b) => a.priority - b.priority || b.chain.order - a.chain.order);
        for (const b of on) stages.push({ chain: b.key, role: role(b), ...(hook === "prerouting" || hook === "ingress" ? { beforeRouting: true as const } : {}), ...(hook === "postrouting" ? { postRouting: true as const } : {}) });
      }
      pipelines.push({ kind, family, stages });
    }
  }
  m.diagnostics.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : 0));
  if (m.opaqueXt.uses > 0) {
    // iptables-nft's tables: nft -j never prints a compat match's options, nft's text prints those it cannot translate without them
    const names = [...m.opaqueXt.names].map((n) => `xt match ${n}`).join(", ");
    const how = doc.json === true ? "nft -j lists iptables-nft's compatibility matches without their options" : "nft lists the iptables-nft matches it cannot translate without their options";
    diag("info", m.opaqueXt.at, `${m.opaqueXt.uses} match${m.opaqueXt.uses === 1 ? "" : "es"} of iptables extensions (${names}): ${how}, so fwlint reads them as unknown conditions; \`iptables-save\` (and \`ip6tables-save\`) of the same host shows what they match${doc.json === true ? ", as \`nft list ruleset\` as text does for most" : ""}`);
  }
  return { format: "nft", file, families, chains: m.chains, pipelines, diagnostics: [...doc.diagnostics, ...m.diagnostics], ruleCount, ...generatedInterfaceSide(m.chains), ...(doc.included.length > 0 ? { includedFiles: doc.included } : {}), ...(doc.includedLines ? { includedLines: doc.includedLines } : {}), ...(doc.includeWatch ? { includeWatch: doc.includeWatch } : {}) };
}

/** dnat and redirect, and an iptables target that may (`xt target NETMAP`, `xt target DNAT`). */
function rewritesDestination(st: Stmt): boolean {
  if (st.kind === "nat") return st.type === "dnat" || st.type === "redirect";
  if (st.kind !== "effect" || st.name !== "xt") return false;
  const x = xtOf(st);
  if (x?.type !== "target") return false;
  const kind = TARGETS.get(x.name)?.kind;
  return kind === undefined || kind === "dnat" || kind === "unknown";
}

/** An `xt match|target|watcher NAME` statement's kind and extension name (both readers write that text). */
function xtOf(st: EffectStmt): { type: "match" | "target" | "watcher"; name: string } | undefined {
  const m = /^xt\s+(match|target|watcher)\s+(\S+)/.exec(st.text);
  return m ? { type: m[1] as "match" | "target" | "watcher", name: m[2]! } : undefined;
}

/**
 * The end of a base chain whose policy is not `accept` or `drop` (`policy dorp`): nft refuses the
 * file, so what the chain does with the packets no rule decides is not known. The model's policies
 * are accept or drop; a last rule that matches every packet with an action fwlint does not model
 * says "either" (findings there are uncertain, not invented ones).
 */
function unknownPolicy(key: string, policy: Extract<ChainPolicy, { verdict: "invalid" }>): Rule {
  return {
    id: `${key}#policy`,
    conditions: [],
    action: { kind: "unknown", target: `policy ${policy.text} (not a policy: nft refuses the file)` },
    span: policy.span,
    comment: `policy ${policy.text}: not accept or drop`,
  };
}

/**
 * What nft and the kernel refuse of a base chain, in any family's table (analysed or not): its
 * priority (priorityOf), a hook its family has not, and its type: nat and route chains exist only
 * in the ip, ip6 and inet families (elsewhere there is no such chain type: ENOENT); a nat chain is
 * on every hook but forward and ingress, and never before conntrack's -200; a route chain is on
 * output only. Returns the priority.
 */
function baseChainRefusals(c: ChainState, family: NftFamily, diag: (s: Diagnostic["severity"], at: SourceSpan, msg: string) => void): number {
  const base = c.base!;
  const priority = priorityOf(base, family, diag);
  if (!HOOKS[family].includes(base.hook) && ALL_HOOKS.has(base.hook)) diag("error", base.span, `expected a hook (${HOOKS[family].join(", ")}) for a chain of the ${family} family, found '${base.hook}'`);
  chainTypeRefusals(c, family, priority, diag);
  return priority;
}

function chainTypeRefusals(c: ChainState, family: NftFamily, priority: number, diag: (s: Diagnostic["severity"], at: SourceSpan, msg: string) => void): void {
  const base = c.base!;
  if (!CHAIN_TYPES.has(base.type)) return diag("error", base.span, `expected a chain type (filter, nat, route), found '${base.type}'`);
  if (!HOOKS[family].includes(base.hook)) return;
  if (base.type !== "filter" && family !== "ip" && family !== "ip6" && family !== "inet") {
    return diag("error", base.span, `chain ${c.name}: the kernel has no ${base.type} chains in the ${family} family, only filter chains (nft: "Could not process rule: No such file or directory")`);
  }
  const why =
    base.type === "nat" && (base.hook === "forward" || base.hook === "ingress")
      ? `a nat chain cannot be on the ${base.hook} hook (prerouting, input, output, postrouting)`
      : base.type === "nat" && priority <= -200
        ? `a nat chain runs after connection tracking: its priority must be above -200 (conntrack's), found ${priority}`
        : base.type === "route" && base.hook !== "output"
          ? `a route chain is only for the output hook, found '${base.hook}'`
          : undefined;
  if (why) diag("error", c.span, `chain ${c.name}: ${why} (nft: "Could not process rule: Operation not supported")`);
}

/** The priorities a family's base chains may name (nft's tables: a bridge's are its own). */
function namedPriorities(family: NftFamily): Readonly<Record<string, number>> {
  return family === "bridge" ? BRIDGE_PRIORITIES : PRIORITIES;
}

function priorityOf(b: BaseChainSpec, family: NftFamily, diag: (s: Diagnostic["severity"], at: SourceSpan, msg: string) => void): number {
  const p = b.priority;
  if (typeof p.base === "number") return p.base + p.offset;
  const table = namedPriorities(family);
  const v = table[p.base];
  if (v === undefined) {
    diag("error", p.span, `expected a priority (a number or ${Object.keys(table).join(", ")} with an optional +/- offset), found '${p.base}'`);
    return p.offset;
  }
  // netdev and arp tables name only filter; dstnat, srcnat and bridge's out a place on one hook
  // (nft: "invalid priority expression value in this context")
  if ((family === "netdev" || family === "arp") && p.base !== "filter") {
    diag("error", p.span, `priority '${p.base}' is not one of the ${family} family's: it names only filter (write a number or filter; nft: "invalid priority expression value in this context")`);
    return v + p.offset;
  }
  const place = (family === "bridge" ? BRIDGE_PRIORITY_HOOK : PRIORITY_HOOK)[p.base];
  if (place !== undefined && b.hook !== place.hook) {
    const why = `(nft: "invalid priority expression value in this context")`;
    if (b.hook === place.newer) diag("warning", p.span, `priority '${p.base}' on the ${b.hook} hook: nft 1.0.6 takes it only on ${place.hook} and refuses the file ${why}; newer nft takes it here too`);
    else diag("error", p.span, `priority '${p.base}' is for the ${place.hook} hook${place.newer ? ` (and, in newer nft, ${place.newer})` : ""}, and this chain is on ${b.hook}: write a number or another name ${why}`);
  }
  return v + p.offset;
}

/**
 * nftables text parser (first slice): `parseNft(text, file)` -> Ruleset, never throws.
 * lexer.ts tokenises, parser.ts reads tables/chains/rules into model chains, this file maps base
 * chains to pipelines by hook and priority.
 *
 * Read: tables (ip/ip6/inet analysed; arp/bridge/netdev parsed, info diagnostic), repeated
 * table/chain blocks (merged), `flush ruleset`, base chain specs with numeric or named priorities,
 * policies, `define`/`$NAME`, matches on ip/ip6 addresses, protocols, ports (th too), interfaces,
 * ct state, icmp/icmpv6 type, tcp flags, `fib daddr type local`; verdicts, counter/log/`x set y`
 * (non-terminating), dnat/redirect/snat/masquerade (simple forms), constant named sets, and verdict
 * maps (anonymous or named) on one modelled key, split into one rule per element.
 * Kept as unknown conditions or verdicts, never dropped: everything else (concatenations, data maps,
 * dynamic sets, binops, meta/ct keys not modelled, anonymous chain bindings, numgen/jhash NAT ...).
 * Not read yet: `add`/`insert`/`delete` command forms, `include`, JSON, flowtables and stateful objects.
 */
import type { Chain, Family, Pipeline, PipelineKind, Ruleset, Stage } from "../../src/model/types.js";
import { NftReader, type ParsedChain, type ParsedTable } from "./parser.js";
import { readNftJson } from "./json.js";
import { mapNft } from "./mapper.js";

const ANALYSED: Record<string, Family[]> = { ip: [4], ip6: [6], inet: [4, 6] };

export function parseNft(text: string, file: string): Ruleset {
  const reader = new NftReader(text, file);
  try {
    reader.read();
  } catch (e) {
    reader.diag("error", { line: 1, column: 1 }, `internal error in the nftables parser: ${e instanceof Error ? e.message : String(e)}`);
  }
  const tables = reader.tables.filter((t) => ANALYSED[t.family] !== undefined);
  // A table or chain declared again (as `nft -f` allows) adds to the first declaration.
  const chains = new Map<string, Chain>();
  const first = new Map<string, ParsedChain>();
  for (const t of tables) {
    t.chains = t.chains.filter((pc) => {
      const key = `${pc.chain.table}/${pc.chain.name}`;
      const prev = first.get(key);
      if (!prev) {
        first.set(key, pc);
        chains.set(key, pc.chain);
        return true;
      }
      prev.chain.rules.push(...pc.chain.rules);
      if (pc.base && !prev.base) {
        prev.base = pc.base;
        prev.chain.policy ??= "accept";
      }
      if (pc.chain.policySpan) {
        prev.chain.policy = pc.chain.policy;
        prev.chain.policySpan = pc.chain.policySpan;
      }
      return false;
    });
  }
  for (const [key, c] of chains) c.rules.forEach((r, i) => (r.id = `${key}#${i + 1}`));
  for (const c of chains.values()) {
    for (const r of c.rules) {
      if ((r.action.kind === "jump" || r.action.kind === "goto") && !chains.has(`${c.table}/${r.action.chain}`)) {
        reader.diag("error", r.span, `${r.action.kind} to chain '${r.action.chain}', which is not declared in table ${c.table}`);
      }
    }
  }
  const famSet = new Set<Family>(tables.flatMap((t) => ANALYSED[t.family]!));
  const families: Family[] = famSet.size === 0 ? [4, 6] : ([4, 6] as Family[]).filter((f) => famSet.has(f));
  return { format: "nft", file, families, chains, pipelines: buildPipelines(tables, families), diagnostics: reader.diagnostics, ruleCount: reader.ruleCount };
}

const PATHS: Record<PipelineKind, string[]> = {
  inbound: ["prerouting", "input"],
  forward: ["prerouting", "forward", "postrouting"],
  outbound: ["output", "postrouting"],
};

function role(pc: ParsedChain): Stage["role"] {
  const b = pc.base!;
  if (b.type === "nat") return b.hook === "prerouting" || b.hook === "output" ? "dstnat" : "srcnat";
  if (b.type === "route") return "mangle";
  return "filter";
}

export function buildPipelines(tables: ParsedTable[], families: Family[]): Pipeline[] {
  const out: Pipeline[] = [];
  for (const family of families) {
    const base = tables.filter((t) => ANALYSED[t.family]?.includes(family)).flatMap((t) => t.chains.filter((c) => c.base));
    for (const kind of ["inbound", "forward", "outbound"] as PipelineKind[]) {
      const stages: Stage[] = [];
      for (const hook of PATHS[kind]) {
        const on = base.filter((c) => c.base!.hook === hook).sort((a, b) => a.base!.priority - b.base!.priority || a.order - b.order);
        for (const c of on) stages.push({ chain: `${c.chain.table}/${c.chain.name}`, role: role(c) });
      }
      out.push({ kind, family, stages });
    }
  }
  return out;
}

export { detectNft, detectNftJson } from "./detect.js";
export { mapNft } from "./mapper.js";
export { readNftJson } from "./json.js";

/** nft JSON (`nft -j list ruleset`, JSON command batches) -> the model, through the shared syntax tree. */
export function parseNftJson(text: string, file: string): Ruleset {
  try {
    return mapNft(readNftJson(text, file), file);
  } catch (e) {
    const message = `internal error in the nft JSON reader: ${e instanceof Error ? e.message : String(e)}`;
    return { format: "nft", file, families: [4, 6], chains: new Map(), pipelines: [], ruleCount: 0, diagnostics: [{ severity: "error", file, line: 1, column: 1, message }] };
  }
}

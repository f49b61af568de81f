/**
 * `fwlint trace FILE`: the verdict for concrete packets and the path each took, rule by rule.
 * One packet from flags, or many from a JSON-lines file (`--packets FILE`, `-` for stdin).
 */
import { readFileSync } from "node:fs";
import { PacketError } from "../analysis/packet.js";
import { routedEgress } from "../analysis/egress.js";
import { verdictFor } from "../analysis/verdict.js";
import type { TracePath } from "../analysis/trace.js";
import { describePacket } from "../model/packet-text.js";
import { analyzeFile } from "../engine/check.js";
import type { Packet, TraceStep } from "../model/finding.js";
import type { Ruleset } from "../model/types.js";
import { leafConditions } from "../model/conditions.js";
import { sanitize } from "../report/sanitize.js";
import type { CliIo } from "./io.js";
import { maxFileSizeOption, UsageError, wantsHelp } from "./args.js";
import { MAX_FILE_BYTES, readConfigFile } from "./files.js";
import { IncluderSearch, isFragment, mayBeNftFragment, mayBeSourced } from "./includer.js";
import { nameTable } from "../model/name-table.js";

export function traceUsage(): string {
  return `Usage: fwlint trace FILE [--packets FILE|-] [--format text|json] [--input-format NAME] [--max-file-size SIZE]
                   [--src ADDR --dst ADDR --proto NAME [--sport N] [--dport N] [--iif IF] [--oif IF]
                    [--hook input|forward|output] [--family 4|6] [--tcp-flags S] [--icmp-type N] [--icmp-code N] [--ttl N]]

Prints the verdict for each packet and every rule that matched on its way (with file:line),
through jumps, returns, policies and NAT rewrites. A packet whose fate depends on a condition
fwlint does not model gets the verdict "unknown" and both outcomes. FILE '-' reads the ruleset
from standard input (then the packets come from flags or a --packets file). A ruleset over 10 MB
is refused unless --max-file-size allows it (a size such as 50M or 1G).
`;
}

const FLAG_OPTS: Readonly<Record<string, keyof Packet | "family">> = nameTable({
  "--src": "src",
  "--dst": "dst",
  "--proto": "proto",
  "--sport": "sport",
  "--dport": "dport",
  "--iif": "iif",
  "--oif": "oif",
  "--hook": "hook",
  "--family": "family",
  "--tcp-flags": "tcp_flags",
  "--icmp-type": "icmp_type",
  "--icmp-code": "icmp_code",
  "--ttl": "ttl",
});
const NUMERIC = new Set(["sport", "dport", "family", "icmp_type", "icmp_code", "ttl"]);

interface TraceArgs {
  file: string;
  packets?: string;
  format: "text" | "json";
  inputFormat?: string;
  /** --max-file-size: the largest ruleset read, in bytes. */
  maxFileBytes: number;
  packet: Record<string, string | number>;
}

function parseArgs(argv: string[]): TraceArgs {
  const out: TraceArgs = { file: "", format: "text", maxFileBytes: MAX_FILE_BYTES, packet: {} };
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${a} needs a value`);
      return v;
    };
    if (a === "--packets") out.packets = value();
    else if (a === "--format") {
      const f = value();
      if (f !== "text" && f !== "json") throw new UsageError(`--format must be text or json, not '${f}'`);
      out.format = f;
    } else if (a === "--input-format") out.inputFormat = value();
    else if (a === "--max-file-size") out.maxFileBytes = maxFileSizeOption("fwlint trace", value());
    else if (a in FLAG_OPTS) {
      const key = FLAG_OPTS[a]!;
      const v = value();
      if (NUMERIC.has(key)) {
        if (!/^\d+$/.test(v)) throw new UsageError(`${a} needs a whole number, not '${v}'`);
        out.packet[key] = Number(v);
      } else out.packet[key] = v;
    } else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option '${a}' for trace`);
    else files.push(a);
  }
  if (files.length !== 1) throw new UsageError("trace needs exactly one ruleset FILE");
  out.file = files[0]!;
  const hasFlags = Object.keys(out.packet).length > 0;
  if (out.packets && hasFlags) throw new UsageError("give either --packets or the packet flags, not both");
  if (out.packets === "-" && out.file === "-") throw new UsageError("the ruleset and --packets cannot both be standard input ('-')");
  if (!out.packets && !hasFlags) throw new UsageError("give a packet (--src --dst --proto --dport ...) or --packets FILE");
  if (hasFlags) {
    for (const k of ["src", "dst", "proto"]) if (out.packet[k] === undefined) throw new UsageError(`the packet needs --${k}`);
  }
  return out;
}

function stepJson(s: TraceStep) {
  return { table: s.table, chain: s.chain, ...(s.title !== undefined ? { title: s.title } : {}), rule: s.rule, file: s.file, line: s.line, action: s.action };
}

export async function runTrace(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout(traceUsage());
    return 0;
  }
  let args: TraceArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`fwlint trace: ${sanitize(err.message)}\n${traceUsage()}`);
      return 2;
    }
    throw err;
  }
  const input = await readConfigFile(args.file, args.maxFileBytes);
  if (!input.ok) {
    io.stderr(`${sanitize(args.file)}: ${sanitize(input.message)}\n`);
    return 2;
  }
  let analyzed = await analyzeFile(args.file, input.text, { inputFormat: args.inputFormat, skipChecks: true });
  // an nft fragment (nftables.d/20-mail.nft, where a finding pointed), or a file a script sources
  // (its settings, a sourced script whose variables the script sets): packets go through the
  // ruleset its includer or sourcing script loads
  const nft = args.file !== "-" && isFragment(analyzed) && mayBeNftFragment(args.file, analyzed, args.inputFormat);
  const sourced = args.file !== "-" && !nft && mayBeSourced(analyzed, args.inputFormat, input.text);
  if (nft || sourced) {
    const found = await new IncluderSearch(args.maxFileBytes, true).find(args.file, { skipChecks: true }, false, sourced);
    if (found?.result.ruleset) {
      io.stderr(`${sanitize(args.file)}: traced as part of ${sanitize(found.path)}, found beside it, which ${sourced ? "sources" : "includes"} it\n`);
      analyzed = found.result;
    }
  }
  if (analyzed.fatal || !analyzed.ruleset) {
    io.stderr(`${sanitize(args.file)}: ${sanitize(analyzed.fatal ?? "could not be read")}\n`);
    return 2;
  }
  const ruleset = analyzed.ruleset;
  let lines: { text: string; line: number }[];
  if (args.packets) {
    let raw: string;
    try {
      raw = args.packets === "-" ? readFileSync(0, "utf8") : readFileSync(args.packets, "utf8");
    } catch (err) {
      io.stderr(`${sanitize(args.packets)}: cannot read (${sanitize((err as Error).message)})\n`);
      return 2;
    }
    lines = raw.split("\n").map((text, i) => ({ text: text.trim(), line: i + 1 })).filter((l) => l.text && !l.text.startsWith("#"));
  } else {
    lines = [{ text: JSON.stringify({ id: "p1", ...args.packet }), line: 0 }];
  }
  const named = namedInterfaces(ruleset);
  let bad = 0;
  for (const { text, line } of lines) {
    let packet: Packet & { id?: unknown };
    try {
      packet = JSON.parse(text) as Packet;
      if (typeof packet !== "object" || packet === null) throw new Error("not a JSON object");
      // A packet with an egress interface passes through the device: the forward path, unless told
      // (or unless the ruleset has none: then it leaves the host, as a cloud instance's egress).
      if (typeof packet.hook !== "string") packet.hook = packet.oif === undefined ? "input" : ruleset.pipelines.some((p) => p.kind === "forward") || !ruleset.pipelines.some((p) => p.kind === "outbound") ? "forward" : "output";
      if (typeof packet.family === "number" && packet.family !== 4 && packet.family !== 6) throw new PacketError("family must be 4 or 6");
    } catch (err) {
      bad++;
      const msg = `line ${line}: not a packet: ${(err as Error).message}`;
      if (args.format === "json") io.stdout(JSON.stringify({ id: null, line, verdict: "error", reason: msg }) + "\n");
      else io.stderr(`${sanitize(args.packets ?? "packet")}:${sanitize(msg)}\n`);
      continue;
    }
    const exit = routedEgress(ruleset, packet);
    if (exit) {
      if (exit.iface !== undefined) packet.oif = exit.iface;
      io.stderr(`packet ${sanitize(String(packet.id ?? line))}: note: ${sanitize(exit.note)}${exit.iface === undefined ? " (give --oif)" : ""}\n`);
    }
    let result;
    try {
      result = verdictFor(ruleset, packet);
    } catch (err) {
      bad++;
      const msg = err instanceof PacketError ? err.message : String((err as Error).message);
      if (args.format === "json") io.stdout(JSON.stringify({ id: packet.id ?? null, verdict: "error", reason: msg }) + "\n");
      else io.stderr(`packet ${sanitize(String(packet.id ?? line))}: ${sanitize(msg)}\n`);
      continue;
    }
    const hosts = ruleset.hosts ?? [];
    const hostSide = packet.hook === "output" ? "oif" : "iif";
    if (hosts.length > 0 && packet[hostSide] === undefined) {
      // a cloud ruleset: each security group or network ACL is an interface of its own (Ruleset.hosts)
      const shown = hosts.slice(0, 8).join(", ") + (hosts.length > 8 ? `, ... (${hosts.length} in all)` : "");
      io.stderr(`packet ${sanitize(String(packet.id ?? line))}: note: no --${hostSide}: this ruleset filters each of its ${sanitize(ruleset.hostsKind ?? "host interfaces")} as an interface of its own; name one with --${hostSide} (${sanitize(shown)})\n`);
    }
    for (const side of ["iif", "oif"] as const) {
      const name = packet[side];
      if (typeof name === "string" && !named.some((n) => (n.prefix ? name.startsWith(n.name) : name === n.name))) {
        io.stderr(`packet ${sanitize(String(packet.id ?? line))}: note: no rule of this ruleset names interface '${sanitize(name)}' (--${side}); it is traced as any unnamed interface${named.length > 0 ? ` (named: ${sanitize(named.slice(0, 8).map((n) => n.name + (n.prefix ? "*" : "")).join(", "))}${named.length > 8 ? ", ..." : ""})` : ""}\n`);
      }
    }
    const first = result.paths[0];
    if (args.format === "json") {
      const out: Record<string, unknown> = { id: packet.id ?? null, verdict: result.verdict, path: (first?.steps ?? []).map(stepJson) };
      if (result.verdict === "unknown") {
        out.outcomes = result.paths.map((p) => ({ verdict: p.verdict, assumptions: p.assumptions, ...(takenByOrdinaryTraffic(p) ? { ordinary: true } : {}), path: p.steps.map(stepJson) }));
      }
      io.stdout(JSON.stringify(out) + "\n");
      continue;
    }
    io.stdout(`${sanitize(describePacket({ ...packet, family: packet.family ?? (String(packet.src).includes(":") ? 6 : 4) }))} [${packet.hook}]: ${result.verdict.toUpperCase()}\n`);
    const shown = result.verdict === "unknown" ? result.paths : result.paths.slice(0, 1);
    // several outcomes ordinary traffic gets: a draw or the sender's rate decides among them
    const note = shown.filter(takenByOrdinaryTraffic).length > 1 ? DRAWN_NOTE : ORDINARY_NOTE;
    for (const p of shown) {
      if (result.verdict === "unknown") io.stdout(`  if ${sanitize(p.assumptions.join(" and ") || "as modelled")}: ${p.verdict.toUpperCase()}${takenByOrdinaryTraffic(p) ? ` ${note}` : ""}\n`);
      if (p.steps.length === 0) io.stdout(`    (no rule matched; nothing in the ruleset filters this path)\n`);
      // a vendor list by its own name ("access-list EDGE"), as the check report's "decided by" does
      for (const s of p.steps) io.stdout(`    ${sanitize(s.title ?? `${s.table} ${s.chain}`)} ${sanitize(s.file)}:${s.line}${s.label ? ` (${sanitize(s.label)})` : ""} ${sanitize(s.action)}  ${sanitize(s.rule)}\n`);
    }
  }
  return bad > 0 ? 2 : 0;
}

/** Said of the outcome ordinary traffic gets (TracePath.ordinary), where the verdict depends on what fwlint does not model. */
const ORDINARY_NOTE = "(the way ordinary traffic goes: a stranger's unicast packet, whose source routes back through the interface it arrived on and is on no list only something outside the ruleset fills)";

/**
 * Said of each of several such outcomes: a condition on the way is drawn per connection (a load
 * balancer's pick) or decided by what the sender sends (a rate limit, a TCP option), and over a
 * stranger's connections each of them happens.
 */
const DRAWN_NOTE = "(one of the ways ordinary traffic goes: which one is drawn per connection or decided by how much and what the sender sends)";

/** An outcome that depends on unknowns only in ways ordinary traffic decides: the one a stranger's connection gets. */
function takenByOrdinaryTraffic(p: TracePath): boolean {
  return p.ordinary && p.assumptions.length > 0;
}

/**
 * The interfaces the ruleset's rules name (exactly, or by prefix): a packet given another one (an
 * ASA's hardware name for a nameif, a JunOS interface without its unit) meets none of the rules
 * that test interfaces, which the user should be told, not left to read from a policy verdict.
 */
function namedInterfaces(ruleset: Ruleset): { name: string; prefix: boolean }[] {
  const seen = new Map<string, { name: string; prefix: boolean }>();
  for (const chain of ruleset.chains.values()) {
    for (const r of chain.rules) for (const c of leafConditions(r.conditions)) if (c.kind === "iface") seen.set(`${c.name}|${c.prefix}`, { name: c.name, prefix: c.prefix });
  }
  return [...seen.values()];
}

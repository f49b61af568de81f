/**
 * fwlint's verdict for one concrete packet: the pipeline is chosen from the packet's hook and
 * family, the packet is traced through it, and the verdict is certain when every path the
 * trace followed (one per outcome of each condition fwlint does not model) agrees.
 */
import type { Packet } from "../model/finding.js";
import type { Family, Pipeline, PipelineKind, Ruleset } from "../model/types.js";
import { packetToPoint } from "./packet.js";
import { tracePacket, type TracePath } from "./trace.js";
import { nameTable } from "../model/name-table.js";

export type Verdict = "accept" | "drop" | "unknown";

export interface PacketVerdict {
  verdict: Verdict;
  paths: TracePath[];
  /** The pipeline the packet went through (undefined when the ruleset has none for it). */
  pipeline?: Pipeline;
  /** The packet as a point of the packet space (first packet of a flow). */
  point: bigint[];
}

const HOOK_KIND: Record<Packet["hook"], PipelineKind> = nameTable({ input: "inbound", forward: "forward", output: "outbound" });

export function packetFamily(p: Packet): Family {
  return p.family === 6 || (p.family === undefined && String(p.src).includes(":")) ? 6 : 4;
}

export function pipelineFor(ruleset: Ruleset, packet: Packet): Pipeline | undefined {
  const kind = HOOK_KIND[packet.hook ?? "input"];
  const family = packetFamily(packet);
  return ruleset.pipelines.find((pl) => pl.kind === kind && pl.family === family);
}

export function verdictFor(ruleset: Ruleset, packet: Packet): PacketVerdict {
  const point = packetToPoint(packet);
  const pipeline = pipelineFor(ruleset, packet);
  if (!pipeline) {
    // No pipeline for this family/hook: the ruleset says nothing, the kernel lets it through.
    return { verdict: "accept", paths: [], point };
  }
  const paths = tracePacket(ruleset, pipeline, point);
  const verdicts = new Set(paths.map((p) => p.verdict));
  // A trace cut short (too many branches on unmodelled conditions) cannot vouch for one verdict.
  const verdict: Verdict = verdicts.size === 1 && !paths.some((p) => p.truncated) ? [...verdicts][0]! : "unknown";
  return { verdict, paths, pipeline, point };
}

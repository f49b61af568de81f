/**
 * The data type names nft takes in a set or map declaration (`type ipv4_addr . inet_service`,
 * `type ifname : verdict`): its datatypes by name, as nft 1.0.6 accepts them (each checked with
 * `nft -c -f`). nft refuses a file naming another ("unknown datatype foo_bar"; `integer` and
 * `string` only through `typeof`).
 */
import type { SourceSpan } from "../../src/model/types.js";
import type { SetDefinition } from "./ast.js";

/** Key types, and data types of a map. */
const VALUE_TYPES: ReadonlySet<string> = new Set([
  "nf_proto", "ipv4_addr", "ipv6_addr", "ether_addr", "ether_type", "arp_op", "inet_proto", "inet_service",
  "icmp_type", "tcp_flag", "dccp_pkttype", "mh_type", "time", "mark", "iface_index", "iface_type", "realm",
  "classid", "uid", "gid", "ct_state", "ct_dir", "ct_status", "icmpv6_type", "pkt_type", "icmp_code",
  "icmpv6_code", "icmpx_code", "devgroup", "dscp", "ecn", "fib_addrtype", "boolean", "ifname", "igmp_type",
  "cgroupsv2",
]);

/** What a map may hold besides values: verdicts and stateful objects (nft JSON names the ct objects so). */
const DATA_ONLY: ReadonlySet<string> = new Set(["verdict", "counter", "quota", "limit", "secmark", "synproxy", "ct helper", "ct timeout", "ct expectation"]);

/** The first type name of the declaration nft does not know, and where it stands (the declaration when not told), or undefined. */
export function unknownDatatype(def: SetDefinition): { name: string; span: SourceSpan } | undefined {
  const at = (i: number) => def.typeSpans?.[i] ?? def.span;
  const keys = def.keyTypeof ? [] : def.keyType;
  for (const [i, t] of keys.entries()) if (!VALUE_TYPES.has(t)) return { name: t, span: at(i) };
  for (const [i, t] of (def.dataTypeof ? [] : (def.dataType ?? [])).entries()) {
    if (!VALUE_TYPES.has(t) && !DATA_ONLY.has(t)) return { name: t, span: at(keys.length + i) };
  }
  return undefined;
}

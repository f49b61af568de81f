/**
 * Interface names for the cloud readers, which analyse each target (a GCP network's instances,
 * tags and service accounts; an Azure NSG and the NICs of each application security group) as an
 * interface of its own: the target's own name where it fits the packet space's room for a name,
 * else cut short, and kept apart from names given before by a `~N` suffix.
 */

/** An interface name's room in the packet space, in bytes (src/space/dims.ts IFACE_BYTES). */
const IFACE_BYTES = 32;

/** A function giving each full name its interface name, distinct from every one it gave before. */
export function interfaceNamer(): (full: string) => string {
  const used = new Set<string>();
  return (full) => {
    let name = full;
    if (Buffer.byteLength(name) > IFACE_BYTES) name = cut(full, IFACE_BYTES - 3);
    for (let n = 2; used.has(name); n++) name = `${cut(full, IFACE_BYTES - 3 - String(n).length)}~${n}`;
    used.add(name);
    return name;
  };
}

/** The first `bytes` bytes of a name, not splitting a character. */
function cut(name: string, bytes: number): string {
  let out = "";
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/**
 * `interfaces interface-range R`: configuration written once for a set of physical interfaces,
 * named by `member` (a name, or a pattern with one `[0,1]` / `[0-5]` list) and `member-range A to B`
 * (A and B differ only in their last number). The range's statements are added to every member,
 * like an apply-group, so its units, filters and addresses bind on each member.
 */
import type { Diagnostics } from "./statements.js";
import { at, child, kids, newNode, type ConfigNode } from "./tree.js";

const MAX_MEMBERS = 4096;
const NOT_COPIED = new Set(["member", "member-range", "description"]);

export function expandInterfaceRanges(root: ConfigNode, diags: Diagnostics): void {
  const interfaces = child(root, "interfaces");
  const ranges = child(interfaces, "interface-range");
  if (!interfaces || !ranges) return;
  for (const r of kids(ranges)) {
    const members = new Set<string>();
    for (const m of kids(child(r, "member"))) for (const n of expandMember(m, diags)) members.add(n);
    for (const m of kids(child(r, "member-range"))) for (const n of expandMemberRange(m, diags)) members.add(n);
    if (members.size === 0) diags.warn(r, `interface-range '${r.name}' has no members`);
    for (const name of [...members].slice(0, MAX_MEMBERS)) {
      let ifd = interfaces.children.get(name);
      if (!ifd) {
        ifd = newNode(name, r);
        interfaces.children.set(name, ifd);
      }
      if (ifd.inactive) continue;
      for (const c of kids(r)) if (!NOT_COPIED.has(c.name)) copyMissing(ifd, c);
    }
  }
  interfaces.children.delete("interface-range");
}

function copyMissing(target: ConfigNode, source: ConfigNode): void {
  let t = target.children.get(source.name);
  if (!t) {
    t = newNode(source.name, source);
    t.fromGroup = "interface-range";
    target.children.set(source.name, t);
  }
  for (const c of kids(source)) copyMissing(t, c);
}

/** `xe-0/0/[0,1]`, `ge-0/0/[0-3]` or a plain name. */
function expandMember(m: ConfigNode, diags: Diagnostics): string[] {
  const p = /^([^[\]]*)\[([0-9,\- ]+)\]([^[\]]*)$/.exec(m.name);
  if (!p) {
    if (m.name.includes("[") || m.name.includes("]")) diags.warn(m, `interface-range member '${m.name}': expected NAME or NAME[list]`);
    return m.name.includes("[") ? [] : [m.name];
  }
  const out: string[] = [];
  for (const item of p[2]!.split(",").map((x) => x.trim()).filter(Boolean)) {
    const r = /^([0-9]+)(?:-([0-9]+))?$/.exec(item);
    if (!r) {
      diags.warn(m, `interface-range member '${m.name}': '${item}' is not a number or range`);
      continue;
    }
    const lo = Number(r[1]);
    const hi = r[2] === undefined ? lo : Number(r[2]);
    for (let k = lo; k <= hi && out.length < MAX_MEMBERS; k++) out.push(`${p[1]}${k}${p[3]}`);
  }
  return out;
}

/** `member-range xe-0/0/0 to xe-0/0/5`. */
function expandMemberRange(m: ConfigNode, diags: Diagnostics): string[] {
  const to = kids(at(m, "to"))[0];
  const a = /^(.*?)([0-9]+)$/.exec(m.name);
  const b = to ? /^(.*?)([0-9]+)$/.exec(to.name) : null;
  if (!a || !b || a[1] !== b[1] || Number(a[2]) > Number(b[2])) {
    diags.warn(m, `interface-range member-range '${m.name}': expected 'NAME to NAME' differing only in the last number`);
    return [];
  }
  const out: string[] = [];
  for (let k = Number(a[2]); k <= Number(b[2]) && out.length < MAX_MEMBERS; k++) out.push(`${a[1]}${k}`);
  return out;
}

/**
 * The inside interfaces the author of a hand-written ruleset names: a Linux host's ruleset holds
 * no interfaces, so every one but loopback and container/VM bridges may face the Internet - and a
 * gateway's `iifname $LAN accept` read so is "every port reachable from the Internet". Whoever
 * wrote `define WAN = "eth0"` and `define LAN = "eth1"` (nft), or `EXTIF=eth0` and `INTIF=eth1`
 * (a shell script), has said which side each is on. When a ruleset's variables name an interface
 * its rules match under an outside name (wan, ext, external, outside, internet, uplink, public, isp,
 * upstream), the ones named under an inside name (lan, int, internal, inside, private, trusted,
 * home, dmz, mgmt, guest, iot, vpn) are taken as not facing the Internet, and so is every other
 * interface the rules match by its name (`iifname "wg0" ...`, `iifname $GUEST_NET ...`) but one they
 * masquerade out of: whoever names the Internet side and writes rules for another interface knows
 * it is not that side. This is by exception, as for firewalld's trusted zones
 * (Ruleset.internalInterfaces): an interface the rules do not name still may face the Internet. A name of both sides (`lan_to_wan`) or a value
 * that is no interface the rules match says nothing; one named on both sides stays outside.
 * `.fwlint.yaml` `internet:` overrides it.
 *
 * Read from the text (an nft `define`, a shell assignment, also inside a script's here-document),
 * so every reader of hand-written rulesets asks it the same way.
 */
import type { Chain, Condition, Diagnostic, Ruleset } from "../src/model/types.js";

const OUTSIDE = new Set(["wan", "ext", "external", "outside", "internet", "uplink", "public", "isp", "upstream", "inet"]);
const INSIDE = new Set(["lan", "int", "internal", "inside", "private", "trusted", "home", "dmz", "mgmt", "management", "guest", "guests", "iot", "vpn"]);

/** `define NAME = VALUE` (nft) or `NAME=VALUE` (shell; `export`, `readonly`, `local`, `declare` before it). */
const NFT_DEFINE = /^\s*(?:re)?define\s+([A-Za-z_][\w]*)\s*=\s*(.+?)\s*(?:#.*)?$/;
const SHELL_ASSIGN = /^\s*(?:(?:export|readonly|local|declare(?:\s+-\w+)*)\s+)?([A-Za-z_][\w]*)=("[^"]*"|'[^']*'|[^\s;#]*)/;

interface Label {
  name: string;
  side: "inside" | "outside";
  values: string[];
  line: number;
  file: string;
}

/** The words of a variable name: `LAN_IF` lan, if; `extIface` ext, iface; `int_if1` int, if. */
function words(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[_\d-]+/)
    .filter((w) => w !== "");
}

/** A word of a side's: the word, or it run together with an interface suffix (`extif`, `landev`). */
function ofSide(word: string, side: ReadonlySet<string>): boolean {
  const m = /^(.*?)(if|ifs|iface|ifaces|dev|devs|device|devices|nic)?$/.exec(word)!;
  return side.has(word) || side.has(m[1]!);
}

function sideOf(name: string): "inside" | "outside" | undefined {
  const w = words(name);
  const inside = w.some((x) => ofSide(x, INSIDE));
  const outside = w.some((x) => ofSide(x, OUTSIDE));
  return inside === outside ? undefined : inside ? "inside" : "outside";
}

/** Does the name hold an outside word, with an inside one or not (`VPN_UPLINK`, `lan_to_wan`)? */
function saysOutside(name: string): boolean {
  return words(name).some((x) => ofSide(x, OUTSIDE));
}

/** A value's items: a quoted word, a bare word, an nft `{ a, "b", $c }` list, a shell "a b" list; `$ref`s kept for resolving. */
function items(raw: string): string[] {
  let v = raw.trim().replace(/;$/, "").trim();
  if (v.startsWith("{") && v.endsWith("}")) v = v.slice(1, -1);
  else if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
  return v
    .split(/[\s,]+/)
    .map((x) => x.replace(/^["']|["']$/g, "").replace(/^\$\{(\w+)\}$/, "$$$1"))
    .filter((x) => x !== "");
}

/**
 * Every interface name the chains' rules match (iif/oif, in alternatives too), and of those the
 * ones a rule masquerades or source-NATs packets out of (`oifname "ppp0" masquerade`): the way to
 * an upstream, which the rules naming it is no reason to take as inside. One walk of the rules.
 */
export function matchedInterfaces(chains: ReadonlyMap<string, Chain>): { matched: Set<string>; upstream: Set<string> } {
  const matched = new Set<string>();
  const upstream = new Set<string>();
  const walk = (conds: readonly Condition[], snat: boolean) => {
    for (const c of conds) {
      if (c.kind === "iface" && !c.prefix) {
        matched.add(c.name);
        if (snat && c.field === "oif" && !c.negate) upstream.add(c.name);
      } else if (c.kind === "or") for (const alt of c.anyOf) walk(alt, snat);
    }
  };
  for (const chain of chains.values()) for (const r of chain.rules) walk(r.conditions, r.action.kind === "snat");
  return { matched, upstream };
}

/**
 * The inside interfaces the variables of `sources` (a ruleset's file, then the files it includes)
 * and the rules name (see above), with an info diagnostic that says so at the first of the
 * variables; undefined when no variable names an outside interface the rules match, or nothing is
 * left inside. A name assigned twice counts as first assigned.
 */
export function labelledInside(
  sources: readonly { file: string; lines: readonly string[] }[],
  interfacesBy: () => { matched: ReadonlySet<string>; upstream?: ReadonlySet<string> },
): { internal: string[]; note: Diagnostic } | undefined {
  const raw = new Map<string, { value: string; line: number; file: string }>();
  for (const { file, lines } of sources) {
    lines.forEach((l, i) => {
      const m = NFT_DEFINE.exec(l) ?? SHELL_ASSIGN.exec(l);
      if (m && !raw.has(m[1]!)) raw.set(m[1]!, { value: m[2]!, line: i + 1, file });
    });
  }
  const resolve = (name: string, depth = 0): string[] => {
    const d = raw.get(name);
    if (!d || depth > 8) return [];
    return items(d.value).flatMap((x) => (x.startsWith("$") ? resolve(x.slice(1), depth + 1) : [x]));
  };
  const named = [...raw].map(([name, d]) => ({ name, ...d, side: sideOf(name) })).filter((d) => d.side !== undefined);
  // (the rules' interfaces are gathered only for a ruleset whose variables name the outside)
  if (!named.some((d) => d.side === "outside")) return undefined;
  const { matched, upstream = new Set<string>() } = interfacesBy();
  const labels: Label[] = [];
  for (const { name, line, file, side } of named) {
    if (!side) continue;
    const values = resolve(name).filter((v) => matched.has(v));
    if (values.length > 0) labels.push({ name, side, values, line, file });
  }
  const outsideLabels = labels.filter((l) => l.side === "outside");
  const outside = new Set(outsideLabels.flatMap((l) => l.values));
  if (outside.size === 0) return undefined;
  const insideLabels = labels.filter((l) => l.side === "inside");
  const labelled = [...new Set(insideLabels.flatMap((l) => l.values))].filter((v) => !outside.has(v)).sort();
  // every other interface the rules name: not the side the author named the Internet's
  // (not one a name of both sides holds: `define VPN_UPLINK = "wg0"` may well be a way in)
  const mixed = new Set([...raw.keys()].filter((name) => sideOf(name) === undefined && saysOutside(name)).flatMap((name) => resolve(name)));
  // (nor one the rules masquerade out of: a PPPoE link over the $WAN device is the way to the Internet)
  const others = [...matched].filter((v) => !outside.has(v) && v !== "lo" && !labelled.includes(v) && !mixed.has(v) && !upstream.has(v)).sort();
  const internal = [...labelled, ...others].sort();
  if (internal.length === 0) return undefined;
  const first = insideLabels[0] ?? outsideLabels[0]!;
  const outNames = outsideLabels.map((l) => `$${l.name}`).join(", ");
  const parts = [
    ...(labelled.length > 0 ? [`${labelled.join(", ")} (${insideLabels.map((l) => `$${l.name}`).join(", ")})`] : []),
    ...(others.length > 0 ? [`${others.join(", ")} (matched by its rules, not named as ${outNames})`] : []),
  ];
  return {
    internal,
    note: {
      severity: "info",
      message: `${parts.join(" and ")} taken as inside interface${internal.length === 1 ? "" : "s"}, not facing the Internet, as the ruleset names ${internal.length === 1 ? "it" : "them"} beside ${outNames}; every other interface still may face it (say which do with internet: in .fwlint.yaml)`,
      file: first.file,
      line: first.line,
      column: 1,
    },
  };
}

/**
 * `ruleset` with the inside interfaces its text's variables name (labelledInside over `text` and
 * the files it includes), unless its reader knows the Internet side already (a generator's zones).
 */
export function withLabelledInside(ruleset: Ruleset, text: string): Ruleset {
  if (ruleset.internetInterfaces || ruleset.internalInterfaces) return ruleset;
  const sources = [{ file: ruleset.file, lines: text.split("\n") }, ...[...(ruleset.includedLines ?? [])].map(([file, lines]) => ({ file, lines }))];
  const found = labelledInside(sources, () => matchedInterfaces(ruleset.chains));
  if (!found) return ruleset;
  const diagnostics = [...ruleset.diagnostics, found.note].sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : 0));
  return { ...ruleset, internalInterfaces: found.internal, diagnostics };
}

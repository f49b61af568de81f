/**
 * The input formats fwlint reads: how each is recognised from content and which parser reads it.
 * Parsers for rarely used formats are loaded on first use, to keep start-up fast.
 */
import type { Ruleset } from "../model/types.js";
import { detectIptablesSave, parseIptablesSave } from "../../parsers/iptables/index.js";
import { detectIptablesScript, parseIptablesScript } from "../../parsers/iptables-script/index.js";
import { detectCiscoAsa, parseCiscoAsa } from "../../parsers/cisco-asa/index.js";
import { detectNft, detectNftJson } from "../../parsers/nftables/detect.js";
import { parseNft, parseNftJson } from "../../parsers/nftables/index.js";
import { detectCiscoIos, parseCiscoIos } from "../../parsers/cisco-ios/index.js";
import { detectJunos, parseJunos } from "../../parsers/junos/index.js";

/** What a parser may need beyond the text: where the scan started (nft `include`s stay inside it). */
export interface ParseContext {
  /** Folder that bounds the files a ruleset may include; default the file's own folder. */
  root?: string;
}

interface FormatEntry {
  name: string;
  detect(text: string): boolean;
  parse(text: string, file: string, context: ParseContext): Ruleset;
}

const FORMATS: FormatEntry[] = [
  {
    name: "iptables",
    detect: (t) => detectIptablesSave(t) === "iptables",
    parse: (t, f) => parseIptablesSave(t, f, { family: 4 }),
  },
  {
    name: "ip6tables",
    detect: (t) => detectIptablesSave(t) === "ip6tables",
    parse: (t, f) => parseIptablesSave(t, f, { family: 6 }),
  },
  {
    // shell scripts of iptables/ip6tables commands; one ruleset for the families the script uses
    name: "iptables-script",
    detect: detectIptablesScript,
    parse: parseIptablesScript,
  },
  {
    // Cisco ASA running-config or `show access-list` output
    name: "cisco-asa",
    detect: detectCiscoAsa,
    parse: parseCiscoAsa,
  },
  {
    // `nft list ruleset` output, `nft -f` files and command files
    name: "nft",
    detect: detectNft,
    parse: (t, f, c) => parseNft(t, f, c.root !== undefined ? { root: c.root } : {}),
  },
  {
    // `nft -j list ruleset` and JSON command batches
    name: "nft-json",
    detect: detectNftJson,
    parse: parseNftJson,
  },
  {
    // Cisco IOS / IOS-XE running-config (ACLs, object groups, interface bindings, zones)
    name: "cisco-ios",
    detect: detectCiscoIos,
    parse: parseCiscoIos,
  },
  {
    // Juniper JunOS / SRX: display-set form or curly-brace configuration
    name: "junos",
    detect: (t) => detectJunos(t) !== undefined,
    parse: parseJunos,
  },
];

export function knownFormats(): string[] {
  return FORMATS.map((f) => f.name);
}

export function detectFormat(text: string): string | undefined {
  return FORMATS.find((f) => f.detect(text))?.name;
}

export function parseAs(format: string, text: string, file: string, context: ParseContext = {}): Ruleset {
  const entry = FORMATS.find((f) => f.name === format);
  if (!entry) throw new Error(`unknown input format '${format}' (known: ${knownFormats().join(", ")})`);
  return entry.parse(text, file, context);
}

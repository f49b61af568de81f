/**
 * The input formats fwlint reads: how each is recognised from content and which parser reads it.
 * Detection is a cheap scan and always loaded; every parser is loaded on first use (`loadFormats`),
 * so a pre-commit run on an iptables file does not pay for the nftables grammar and the vendor
 * readers, nor a run on any other file for the iptables grammar (building its chevrotain lexer and
 * parser was a tenth of a small ASA or nftables check).
 */
import type { Ruleset } from "../model/types.js";
import { detectIptablesSave, familyNamedBy } from "../../parsers/iptables/detect.js";
import { ufwChainsOnly } from "../../parsers/ufw/detect.js";
import { detectIptablesScript } from "../../parsers/iptables-script/detect.js";
import { detectNftScript } from "../../parsers/nft-script/detect.js";
import { detectUfwScript } from "../../parsers/ufw-script/detect.js";
import { detectAnsibleUfw } from "../../parsers/ansible-ufw/detect.js";
import { detectAnsibleIptables } from "../../parsers/ansible-iptables/detect.js";
import { detectCiscoAsa } from "../../parsers/cisco-asa/detect.js";
import { detectNft, detectNftJson } from "../../parsers/nftables/detect.js";
import { detectCiscoIos } from "../../parsers/cisco-ios/detect.js";
import { detectJunos } from "../../parsers/junos/detect.js";
import { detectAwsSecurityGroups } from "../../parsers/aws/detect.js";
import { detectAwsNetworkAcls } from "../../parsers/aws/nacl-detect.js";
import { detectFortios } from "../../parsers/fortios/detect.js";
import { detectPanos } from "../../parsers/panos/detect.js";
import { detectGcpFirewall } from "../../parsers/gcp/detect.js";
import { detectPfsense } from "../../parsers/pfsense/detect.js";
import { detectAzureNsg } from "../../parsers/azure/detect.js";
import { detectCapirca } from "../../parsers/capirca/detect.js";
import { detectAnsibleTemplate, RENDERED_FORMATS } from "../../parsers/ansible-template/detect.js";
import type { IncludeIo } from "../../parsers/file-io.js";
import type { AnsibleOptions, HostVars as AnsibleHostVars, Value as AnsibleValue } from "../../parsers/ansible/tasks.js";
import { withLabelledInside } from "../../parsers/interface-labels.js";

/** What a parser may need beyond the text: where the scan started (nft `include`s stay inside it). */
export interface ParseContext {
  /** Folder that bounds the files a ruleset may include; default the file's own folder. */
  root?: string;
  /** Where the file is when its name only labels it (a file at a git revision): includes are resolved from here. */
  origin?: string;
  /** Reads the files a ruleset includes (default: the disk). */
  includeIo?: IncludeIo;
  /** Extra variables for Ansible playbooks and templates (.fwlint.yaml `ansibleVars`), above every other. */
  ansibleVars?: Readonly<Record<string, AnsibleValue>>;
  /** Variables of each Ansible inventory host (.fwlint.yaml `ansibleHostVars`), as its gathered facts stand. */
  ansibleHostVars?: AnsibleHostVars;
}

type Parser = (text: string, file: string, context: ParseContext) => Ruleset;

/** iptables-save text and its family, or one of ufw's rule files (iptables-save text of ufw's chains); null: neither. */
type SaveKind = ReturnType<typeof detectIptablesSave> | "ufw";

interface FormatEntry {
  name: string;
  /** `saveKind`: what iptables-save text it is (SaveKind), scanned once for the three entries that ask it. */
  detect(text: string, saveKind: () => SaveKind): boolean;
  /** The parser, once loaded. */
  parse?: Parser;
  /** Loads the parser. */
  load: () => Promise<Parser>;
}

/** The iptables-save reader for one family (iptables-save or ip6tables-save). */
async function iptablesSaveReader(family: 4 | 6): Promise<Parser> {
  const { parseIptablesSave } = await import("../../parsers/iptables/index.js");
  return (t, f, c) => parseIptablesSave(t, f, { family, ...(c.includeIo ? { io: c.includeIo } : {}), ...(c.origin !== undefined ? { origin: c.origin } : {}) });
}

/** How a reader of files that read others of the tree (a script's sourced files, a playbook's imports) reads them, from the context. */
function treeOptions(c: ParseContext): { io?: IncludeIo; origin?: string; root?: string } {
  return { ...(c.includeIo ? { io: c.includeIo } : {}), ...(c.origin !== undefined ? { origin: c.origin } : {}), ...(c.root !== undefined ? { root: c.root } : {}) };
}

/** How an Ansible reader reads a project: as treeOptions, with the configured extra variables. */
function ansibleOptions(c: ParseContext): AnsibleOptions {
  return { ...treeOptions(c), ...(c.ansibleVars !== undefined ? { extraVars: c.ansibleVars } : {}), ...(c.ansibleHostVars !== undefined ? { hostVars: c.ansibleHostVars } : {}) };
}

/** How the nftables reader reads a file's includes (an nft script's `nft -f` too), from the context. */
function nftIncludes(c: ParseContext): { root?: string; origin?: string } & Partial<IncludeIo> {
  return { ...(c.root !== undefined ? { root: c.root } : {}), ...(c.origin !== undefined ? { origin: c.origin } : {}), ...c.includeIo };
}

/**
 * Jinja templates of firewall files (an Ansible role's rules.v4.j2, nftables.conf.j2): detected
 * before every other format, as the text around the Jinja is the format it renders, which the
 * others would take; listed after the other Ansible formats.
 */
const TEMPLATES: FormatEntry = {
  name: "ansible-template",
  detect: detectAnsibleTemplate,
  load: async () => {
    // (what a template renders is read by this registry's reader of its format, as the file would be)
    await loadFormats(RENDERED_FORMATS);
    const { parseAnsibleTemplate } = await import("../../parsers/ansible-template/index.js");
    const { readForEveryHost } = await import("../../parsers/ansible/host-variants.js");
    return (t, f, c) => readForEveryHost((o) => parseAnsibleTemplate(t, f, { ...o, readRendered: (format, text, file, at) => parseAs(format, text, file, { ...c, ...at }) }), ansibleOptions(c), f);
  },
};

const FORMATS: FormatEntry[] = [
  {
    name: "iptables",
    detect: (_t, saveKind) => saveKind() === "iptables",
    load: () => iptablesSaveReader(4),
  },
  {
    name: "ip6tables",
    detect: (_t, saveKind) => saveKind() === "ip6tables",
    load: () => iptablesSaveReader(6),
  },
  {
    // ufw's rule files (/etc/ufw/*.rules): iptables-save syntax, read with the others beside them
    name: "ufw",
    detect: (_t, saveKind) => saveKind() === "ufw",
    load: async () => {
      const { parseUfw } = await import("../../parsers/ufw/index.js");
      return (t, f, c) => parseUfw(t, f, { ...(c.includeIo ? { io: c.includeIo } : {}), ...(c.origin !== undefined ? { origin: c.origin } : {}) });
    },
  },
  {
    // shell scripts of ufw commands (`ufw allow 22/tcp`, `ufw default deny incoming`): before
    // iptables-script, which a script with a few iptables commands beside them would satisfy
    name: "ufw-script",
    detect: detectUfwScript,
    load: async () => {
      const { parseUfwScript } = await import("../../parsers/ufw-script/index.js");
      return (t, f, c) => withLabelledInside(parseUfwScript(t, f, treeOptions(c)), t);
    },
  },
  {
    // Ansible playbooks and task files with ufw module tasks (`community.general.ufw: rule: allow ...`)
    name: "ansible-ufw",
    detect: detectAnsibleUfw,
    load: async () => {
      const { parseAnsibleUfw } = await import("../../parsers/ansible-ufw/index.js");
      const { readForEveryHost } = await import("../../parsers/ansible/host-variants.js");
      return (t, f, c) => readForEveryHost((o) => parseAnsibleUfw(t, f, o), ansibleOptions(c), f);
    },
  },
  {
    // Ansible playbooks and task files with ansible.builtin.iptables tasks
    name: "ansible-iptables",
    detect: detectAnsibleIptables,
    load: async () => {
      const { parseAnsibleIptables } = await import("../../parsers/ansible-iptables/index.js");
      const { readForEveryHost } = await import("../../parsers/ansible/host-variants.js");
      return (t, f, c) => readForEveryHost((o) => parseAnsibleIptables(t, f, o), ansibleOptions(c), f);
    },
  },
  TEMPLATES,
  {
    // shell scripts of iptables/ip6tables commands; one ruleset for the families the script uses
    name: "iptables-script",
    detect: detectIptablesScript,
    load: async () => {
      const { parseIptablesScript } = await import("../../parsers/iptables-script/index.js");
      return (t, f, c) => withLabelledInside(parseIptablesScript(t, f, treeOptions(c)), t);
    },
  },
  {
    // shell scripts of nft commands (`nft add rule ...`, `nft -f - <<EOF`): before nft, whose
    // detection a here-document's nft text would satisfy
    name: "nft-script",
    detect: detectNftScript,
    load: async () => {
      const { parseNftScript } = await import("../../parsers/nft-script/index.js");
      return (t, f, c) => withLabelledInside(parseNftScript(t, f, nftIncludes(c)), t);
    },
  },
  {
    // Cisco ASA running-config or `show access-list` output
    name: "cisco-asa",
    detect: detectCiscoAsa,
    load: async () => (await import("../../parsers/cisco-asa/index.js")).parseCiscoAsa,
  },
  {
    // `nft list ruleset` output, `nft -f` files and command files
    name: "nft",
    detect: detectNft,
    load: async () => {
      const { parseNft } = await import("../../parsers/nftables/index.js");
      return (t, f, c) => withLabelledInside(parseNft(t, f, nftIncludes(c)), t);
    },
  },
  {
    // `nft -j list ruleset` and JSON command batches
    name: "nft-json",
    detect: detectNftJson,
    load: async () => (await import("../../parsers/nftables/index.js")).parseNftJson,
  },
  {
    // Cisco IOS / IOS-XE running-config (ACLs, object groups, interface bindings, zones)
    name: "cisco-ios",
    detect: detectCiscoIos,
    load: async () => (await import("../../parsers/cisco-ios/index.js")).parseCiscoIos,
  },
  {
    // Juniper JunOS / SRX: display-set form or curly-brace configuration
    name: "junos",
    detect: (t) => detectJunos(t) !== undefined,
    load: async () => (await import("../../parsers/junos/index.js")).parseJunos,
  },
  {
    // AWS security groups: `aws ec2 describe-security-groups` JSON
    name: "aws-sg",
    detect: detectAwsSecurityGroups,
    load: async () => (await import("../../parsers/aws/index.js")).parseAwsSecurityGroups,
  },
  {
    // AWS network ACLs: `aws ec2 describe-network-acls` JSON
    name: "aws-nacl",
    detect: detectAwsNetworkAcls,
    load: async () => (await import("../../parsers/aws/nacl-index.js")).parseAwsNetworkAcls,
  },
  {
    // FortiGate FortiOS: `show full-configuration`, backups and CLI scripts
    name: "fortios",
    detect: detectFortios,
    load: async () => (await import("../../parsers/fortios/index.js")).parseFortios,
  },
  {
    // Palo Alto PAN-OS: XML configuration, set commands or the brace form
    name: "panos",
    detect: detectPanos,
    load: async () => (await import("../../parsers/panos/index.js")).parsePanos,
  },
  {
    // Google Cloud VPC firewall rules: gcloud / REST lists, getEffectiveFirewalls, recordings of them
    name: "gcp-firewall",
    detect: detectGcpFirewall,
    load: async () => (await import("../../parsers/gcp/index.js")).parseGcpFirewall,
  },
  {
    // Azure network security groups: ARM REST / az CLI / ARM template JSON, VCR recordings of them
    name: "azure-nsg",
    detect: detectAzureNsg,
    load: async () => (await import("../../parsers/azure/index.js")).parseAzureNsg,
  },
  {
    // pfSense and OPNsense config.xml
    name: "pfsense",
    detect: detectPfsense,
    load: async () => (await import("../../parsers/pfsense/index.js")).parsePfsense,
  },
  {
    // Capirca / Aerleon network policies (.pol, .inc, YAML) and their naming definitions; last, as
    // its definitions' `NAME = VALUES` text is the loosest shape
    name: "capirca",
    detect: detectCapirca,
    load: async () => {
      const { parseCapirca } = await import("../../parsers/capirca/index.js");
      return (t, f, c) => parseCapirca(t, f, treeOptions(c));
    },
  },
];

export function knownFormats(): string[] {
  return FORMATS.map((f) => f.name);
}

/**
 * The format of `text`, from its content; `path` (the file's name) only tells the family of an
 * iptables-save file whose text does not (see familyNamedBy).
 */
export function detectFormat(text: string, path?: string): string | undefined {
  let save: SaveKind | undefined;
  const saveKind = (): SaveKind => {
    if (save === undefined) {
      const kind = detectIptablesSave(text, path === undefined ? undefined : familyNamedBy(path));
      save = kind !== null && ufwChainsOnly(text) ? "ufw" : kind;
    }
    return save;
  };
  if (TEMPLATES.detect(text, saveKind)) return TEMPLATES.name;
  return FORMATS.find((f) => f !== TEMPLATES && f.detect(text, saveKind))?.name;
}

/** Loads the parsers of the named formats (all when none are named); formats already loaded cost nothing. */
export async function loadFormats(names?: readonly (string | undefined)[]): Promise<void> {
  for (const entry of FORMATS) {
    if (entry.parse || (names && !names.includes(entry.name))) continue;
    entry.parse = await entry.load();
  }
}

export function parseAs(format: string, text: string, file: string, context: ParseContext = {}): Ruleset {
  const entry = FORMATS.find((f) => f.name === format);
  if (!entry) throw new Error(`unknown input format '${format}' (known: ${knownFormats().join(", ")})`);
  if (!entry.parse) throw new Error(`the ${format} reader is not loaded (loadFormats)`);
  return entry.parse(text, file, context);
}

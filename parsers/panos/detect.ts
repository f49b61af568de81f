/**
 * Recognising a PAN-OS configuration from its content, in any of its three forms: XML (a
 * `<config>` document with PAN-OS's `<devices>` / `<shared>` / `urldb` marks), `set` commands on
 * PAN-OS's own hierarchy (`set deviceconfig`, `set rulebase`, `set vsys`, `set device-group`, ...),
 * or the brace form (`config {` / `deviceconfig {` blocks). A cheap scan kept apart from the readers.
 */

const XML_ROOT = /<config\b[^>]*>/;
const XML_PANOS = /<config\b[^>]*\burldb=|<devices>\s*<entry name=|<vsys>\s*<entry name=|<rulebase>\s*<(?:security|nat)>|<(?:pre|post)-rulebase>/;
const SET_LINE =
  /^set (?:deviceconfig system |rulebase (?:security|nat|pbf|application-override|decryption) rules |vsys \S+ (?:rulebase|zone|address|service|import)\b|device-group \S+ |shared (?:address|service|application|log-settings|pre-rulebase|post-rulebase)\b|network (?:interface (?:ethernet|aggregate-ethernet|vlan|loopback|tunnel) |virtual-router )|zone \S+ network (?:layer3|layer2|virtual-wire|tap|tunnel|external)\b|address \S+ (?:ip-netmask|ip-range|ip-wildcard|fqdn) |service \S+ protocol (?:tcp|udp|sctp) |policy panorama |config (?:devices|shared) |template \S+ config )/m;
const RANCID_PANOS = /^[#!][ \t]*RANCID-CONTENT-TYPE:\s*paloalto\b/m;
const BRACE_TOP = /^[ \t]*(?:config|deviceconfig|policy|network|vsys|shared)[ \t]*\{/m;
const BRACE_PANOS = /^[ \t]*(?:devices|localhost\.localdomain|deviceconfig|panorama|vsys1|rulebase|virtual-router)[ \t]*\{/m;

export type PanosForm = "xml" | "set" | "braces";

export function detectPanosForm(text: string): PanosForm | undefined {
  const head = text.length > 400_000 ? text.slice(0, 400_000) : text;
  const start = head.trimStart();
  if (start.startsWith("<")) return XML_ROOT.test(head) && XML_PANOS.test(head) ? "xml" : undefined;
  if (SET_LINE.test(head)) return "set";
  if (BRACE_TOP.test(head) && BRACE_PANOS.test(head)) return "braces";
  if (RANCID_PANOS.test(head)) return /^set /m.test(head) ? "set" : /\{\s*$/m.test(head) ? "braces" : undefined;
  return undefined;
}

export function detectPanos(text: string): boolean {
  return detectPanosForm(text) !== undefined;
}

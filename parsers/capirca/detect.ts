/**
 * Recognising Capirca / Aerleon files: a `.pol` policy (`header {` with `target::`) or `.inc`
 * include (`term NAME {` with term keywords), an Aerleon YAML policy (`filters:` of `header:` with
 * `targets:`) or include (`terms:` of named terms), and naming definitions: `.net` / `.svc` text
 * (`NAME = VALUES` lines, continued on indented lines, with addresses or PORT/PROTOCOL values) or
 * YAML (`networks:` with `values:`, `services:` with `port:` and `protocol:`). A cheap scan kept
 * apart from the reader.
 */

export type CapircaKind = "policy-text" | "policy-yaml" | "definitions-text" | "definitions-yaml";

const POLICY_HEADER = /^[ \t]*header[ \t]*\{/m;
const TARGET = /\btarget[ \t]*::/;
const TERM = /^[ \t]*term[ \t]+[\w.+@/-]+[ \t]*\{/m;
const TERM_KEYWORD = /\b(?:action|source-address|destination-address|protocol|destination-port|source-port)[ \t]*::/;
const YAML_FILTERS = /^filters(?:_include_only)?:[ \t]*$/m;
const YAML_HEADER = /^[ \t]+(?:-[ \t]+)?header:[ \t]*$/m;
const YAML_TARGETS = /^[ \t]+targets:[ \t]*$/m;
const YAML_TERMS = /^terms:[ \t]*$/m;
const YAML_TERM = /^[ \t]*-[ \t]+name:/m;
const YAML_TERM_KEYWORD = /^[ \t]+(?:action|source-address|destination-address|protocol|destination-port):/m;
const YAML_NETWORKS = /^networks:[ \t]*$/m;
const YAML_VALUES = /^[ \t]+values:[ \t]*$/m;
const YAML_ADDRESS = /^[ \t]+-[ \t]+(?:address|name):/m;
const YAML_SERVICES = /^services:[ \t]*$/m;
const YAML_PORT = /^[ \t]+-[ \t]+port:/m;
const YAML_PROTOCOL = /^[ \t]+protocol:/m;

const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:\/\d{1,3})?)$/;
const PORT_PROTO = /^\d+(?:-\d+)?\/[A-Za-z]\w*$/;
const NAME = /^[A-Za-z][\w-]*$/;

/** `NAME = VALUES` definitions text: every line a definition, a continuation or a comment; some value an address or a port. */
function definitionsText(text: string): boolean {
  let defined = 0;
  let concrete = 0;
  let started = false;
  const lines = text.length > 400_000 ? text.slice(0, 400_000).split("\n").slice(0, -1) : text.split("\n");
  for (const raw of lines) {
    const hash = raw.indexOf("#");
    const body = (hash === -1 ? raw : raw.slice(0, hash)).replace(/\r$/, "");
    if (body.trim() === "") continue;
    let values: string;
    const m = /^([A-Za-z][\w-]*)[ \t]*=(.*)$/.exec(body);
    if (m) {
      defined++;
      started = true;
      values = m[2]!;
    } else if (started && /^[ \t]/.test(body)) values = body;
    else return false;
    for (const v of values.trim().split(/\s+/).filter(Boolean)) {
      if (ADDRESS.test(v) || PORT_PROTO.test(v)) concrete++;
      else if (!NAME.test(v)) return false;
    }
  }
  return defined > 0 && concrete > 0;
}

export function capircaKind(text: string): CapircaKind | undefined {
  const head = text.length > 400_000 ? text.slice(0, 400_000) : text;
  if ((POLICY_HEADER.test(head) && TARGET.test(head)) || (TERM.test(head) && TERM_KEYWORD.test(head))) return "policy-text";
  if (YAML_FILTERS.test(head) && YAML_HEADER.test(head) && YAML_TARGETS.test(head)) return "policy-yaml";
  if (YAML_TERMS.test(head) && YAML_TERM.test(head) && YAML_TERM_KEYWORD.test(head)) return "policy-yaml";
  if ((YAML_NETWORKS.test(head) && YAML_VALUES.test(head) && YAML_ADDRESS.test(head)) || (YAML_SERVICES.test(head) && YAML_PORT.test(head) && YAML_PROTOCOL.test(head))) return "definitions-yaml";
  if (definitionsText(text)) return "definitions-text";
  return undefined;
}

export function detectCapirca(text: string): boolean {
  return capircaKind(text) !== undefined;
}

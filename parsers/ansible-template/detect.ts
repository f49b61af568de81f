/**
 * Content-based recognition of a Jinja template of a firewall file (an Ansible role's
 * templates/rules.v4.j2, nftables.conf.j2, firewall.bash.j2): Jinja tags in it, and its text
 * with them taken out (statements and comments dropped, each `{{ ... }}` a placeholder) is what
 * a format fwlint reads looks like. A cheap scan; the reader renders the template.
 */
import { detectIptablesSave, familyNamedBy } from "../iptables/detect.js";
import { detectIptablesScript } from "../iptables-script/detect.js";
import { detectNft } from "../nftables/detect.js";
import { detectNftScript } from "../nft-script/detect.js";

/** The formats a template's output is read as (the format registry's names). */
export const RENDERED_FORMATS = ["iptables", "ip6tables", "iptables-script", "nft-script", "nft"] as const;
export type RenderedFormat = (typeof RENDERED_FORMATS)[number];

const JINJA = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/;

/** The text of a template with its Jinja taken out (see the header). */
export function templateSkeleton(text: string): string {
  return text
    .replace(/^#jinja2:.*\n/, "")
    .replace(/\{#[\s\S]*?#\}/g, "")
    .replace(/^[ \t]*\{%[\s\S]*?%\}[ \t]*(?:\n|$)/gm, "")
    .replace(/\{%[\s\S]*?%\}/g, "")
    .replace(/\{\{[\s\S]*?\}\}/g, "1");
}

/** What `text` (a template's output, or its skeleton) is read as; `name` (a file or its destination) tells an ip6tables file. */
export function renderedFormatOf(text: string, name?: string): RenderedFormat | undefined {
  const save = detectIptablesSave(text, name === undefined ? undefined : familyNamedBy(name.replace(/\.j2$/, "")));
  if (save === "iptables" || save === "ip6tables") return save;
  if (detectIptablesScript(text)) return "iptables-script";
  if (detectNftScript(text)) return "nft-script";
  if (detectNft(text)) return "nft";
  return undefined;
}

/**
 * A Go template's action (`{{.NetworkSettings.IPAddress}}`, `{{range .Ports}}`, `{{json .}}`): what a
 * shell script hands `docker inspect -f` or `kubectl -o go-template`, not Jinja.
 */
const GO_ACTION = /\{\{-?\s*(?:\.|\$|(?:range|end|with|define|template|block|json|index|len|printf|println|print|eq|ne)\b)/;
/** Jinja's statements and comments, which no shell script or ruleset holds otherwise. */
const JINJA_STATEMENT = /\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/;

export function detectAnsibleTemplate(text: string): boolean {
  if (!text.includes("{{") && !text.includes("{%")) return false;
  if (!JINJA.test(text)) return false;
  // (a playbook or task list holding Jinja is Ansible's YAML, not a template of a firewall file)
  if (/^(?:[ \t]*(?:#.*)?\n)*(?:---|-[ \t])/.test(text)) return false;
  const format = renderedFormatOf(templateSkeleton(text));
  if (format === undefined) return false;
  // a script whose only `{{ }}` are Go templates' (docker inspect -f '{{.State.Pid}}') is a script
  if ((format === "iptables-script" || format === "nft-script") && !JINJA_STATEMENT.test(text) && GO_ACTION.test(text)) return false;
  return true;
}

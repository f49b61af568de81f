/**
 * Content-based recognition of Ansible YAML that builds an iptables ruleset with Ansible's own
 * module: a list of tasks (or plays) where some task calls `iptables:` or
 * `ansible.builtin.iptables:` with the arguments that make it change something (`chain`, `jump`,
 * `policy`, `flush`), as a block or a flow mapping (`{ chain: INPUT, policy: DROP }`). A cheap
 * line scan; the reader parses the YAML.
 */
const MODULE = /^[ \t]*(?:-[ \t]+)?(?:ansible\.builtin\.)?iptables:[ \t]*(?:$|[^\s#])/m;
const ARGUMENT = /(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)(?:chain|jump|policy|flush):[ \t]*\S|\b(?:chain|jump|policy|flush)=\S/m;

export function detectAnsibleIptables(text: string): boolean {
  if (!text.includes("iptables") || !MODULE.test(text) || !ARGUMENT.test(text)) return false;
  return /^(?:---[ \t]*\n(?:#.*\n|\s*\n)*)?(?:#.*\n|\s*\n)*-[ \t]/.test(text);
}

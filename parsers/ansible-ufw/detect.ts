/**
 * Content-based recognition of Ansible YAML that sets up ufw with its module: a list of tasks
 * (or plays) where some task calls `ufw:` or `community.general.ufw:` with the arguments that
 * make the module change something (`rule`, `default`/`policy`, `state`). A cheap line scan; the
 * reader parses the YAML.
 */
const MODULE = /^[ \t]*(?:-[ \t]+)?(?:community\.general\.)?ufw:[ \t]*(?:$|[^\s#])/m;
const ARGUMENT = /(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)(?:rule|default|policy|state):[ \t]*\S|\b(?:rule|policy|default|state)=\S/m;

export function detectAnsibleUfw(text: string): boolean {
  if (!text.includes("ufw") || !MODULE.test(text) || !ARGUMENT.test(text)) return false;
  // a YAML list: tasks, or plays of tasks
  return /^(?:---[ \t]*\n(?:#.*\n|\s*\n)*)?(?:#.*\n|\s*\n)*-[ \t]/.test(text);
}

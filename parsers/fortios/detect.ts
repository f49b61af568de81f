/**
 * Recognising a FortiOS configuration from its content: the `#config-version=` header of a backup,
 * or `config firewall|system|vdom|global|router ...` blocks with `edit`/`set`/`next`/`end` lines.
 * A cheap scan kept apart from the reader.
 */

const HEADER = /^#config-version=[A-Z0-9]/m;
const BLOCK = /^[ \t]*config (?:firewall|system|vdom|global|router|vpn|user|webfilter|log)\b/m;
const EDIT = /^[ \t]*(?:edit|set|unset|append|select)[ \t]+\S/m;
const CLOSE = /^[ \t]*(?:next|end)[ \t]*\r?$/m;

export function detectFortios(text: string): boolean {
  const head = text.length > 400_000 ? text.slice(0, 400_000) : text;
  if (HEADER.test(head)) return true;
  return BLOCK.test(head) && EDIT.test(head) && CLOSE.test(head);
}

/**
 * Recognising a pfSense or OPNsense `config.xml` from its content: the root element `<pfsense>` or
 * `<opnsense>` (after the XML declaration and comments). A cheap scan kept apart from the reader.
 */

const ROOT = /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:pfsense|opnsense)\s*>/i;

export function detectPfsense(text: string): boolean {
  return ROOT.test(text.length > 100_000 ? text.slice(0, 100_000) : text);
}

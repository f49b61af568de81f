/**
 * A pfSense / OPNsense `config.xml` into a plain element tree (parsed with `sax`, as the PAN-OS XML
 * reader does): each element keeps its name, attributes, children in file order (several `<rule>`
 * siblings stay apart), trimmed text and where its start tag is. Malformed XML is an error at its
 * line and column; what was read before it stays, and reading goes on where the parser can.
 */
import sax from "sax";
import type { Diagnostics } from "../junos/statements.js";
import { emptyNameTable } from "../../src/model/name-table.js";

export interface At {
  line: number;
  column: number;
}

export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  at: At;
}

const MAX_DEPTH = 128;
const MAX_ERRORS = 20;

export function readConfigXml(text: string, diags: Diagnostics): XmlNode {
  const root: XmlNode = { name: "", attrs: {}, children: [], text: "", at: { line: 1, column: 1 } };
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const posOf = (offset: number): At => {
    let a = 0;
    let b = lineStarts.length - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (lineStarts[m]! <= offset) a = m;
      else b = m - 1;
    }
    return { line: a + 1, column: offset - lineStarts[a]! + 1 };
  };
  const parser = sax.parser(true, { position: true });
  const stack: XmlNode[] = [root];
  let errors = 0;
  const here = (): At => ({ line: parser.line + 1, column: parser.column + 1 });
  parser.onopentag = (tag) => {
    const top = stack[stack.length - 1]!;
    const attrs: Record<string, string> = emptyNameTable();
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = typeof v === "string" ? v : v.value;
    const node: XmlNode = { name: tag.name, attrs, children: [], text: "", at: posOf(Math.max(0, parser.startTagPosition - 1)) };
    if (stack.length > MAX_DEPTH) {
      if (stack.length === MAX_DEPTH + 1) diags.error(node.at, `elements nested deeper than ${MAX_DEPTH} levels; the content of <${tag.name}> is skipped`);
    } else top.children.push(node);
    stack.push(node);
  };
  const onText = (t: string) => {
    stack[stack.length - 1]!.text += t;
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onclosetag = () => {
    const n = stack.pop();
    if (n) n.text = n.text.trim();
    if (stack.length === 0) stack.push(root);
  };
  parser.onerror = (e) => {
    errors++;
    if (errors <= MAX_ERRORS) diags.error(here(), `malformed XML: ${e.message.split("\n")[0]}`);
    if (errors === MAX_ERRORS) diags.info(here(), "further XML errors are not reported");
    parser.error = null as unknown as Error;
    parser.resume();
  };
  try {
    parser.write(text).close();
  } catch (e) {
    diags.error(here(), `malformed XML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  return root;
}

/** The first child element named `name`. */
export function child(n: XmlNode | undefined, name: string): XmlNode | undefined {
  return n?.children.find((c) => c.name === name);
}

/** Every child element named `name`, in file order. */
export function childrenNamed(n: XmlNode | undefined, name: string): XmlNode[] {
  return n ? n.children.filter((c) => c.name === name) : [];
}

/** The text of the first child named `name` (undefined when absent; "" when empty). */
export function textOf(n: XmlNode | undefined, name: string): string | undefined {
  return child(n, name)?.text;
}

/** Follows a path of element names. */
export function path(n: XmlNode | undefined, ...names: string[]): XmlNode | undefined {
  let cur = n;
  for (const name of names) cur = child(cur, name);
  return cur;
}

/** pfSense's presence booleans: an element present (whatever its text, as PHP's isset) is on. */
export function present(n: XmlNode | undefined, name: string): boolean {
  return child(n, name) !== undefined;
}

/**
 * A PAN-OS XML configuration (`running-config.xml`, `show config running` in XML, the API's
 * export) into the same tree as the text forms (parsers/junos/tree.ts): `<entry name="N">` is a
 * node N under its container, `<member>V</member>` a leaf V, any other element a node named by its
 * tag, and an element's text a leaf under it (`<ip-netmask>10.0.0.0/8</ip-netmask>` is the path
 * `ip-netmask 10.0.0.0/8`). So `/config/devices/entry[@name='localhost.localdomain']` is the path
 * `config devices localhost.localdomain` whichever form the file is in.
 *
 * Several documents one after the other (tools print a configuration per policy) are read in
 * order into one tree. Malformed XML is an error at its line and column; what was read before it
 * stays, and reading goes on where the parser can.
 */
import sax from "sax";
import { newNode, type ConfigNode } from "../junos/tree.js";
import type { Diagnostics } from "../junos/statements.js";

/** Deeper elements are skipped (a PAN-OS configuration nests about 15 levels). */
const MAX_DEPTH = 128;
/** Stops reading after this many XML errors in one document (the rest would be noise). */
const MAX_ERRORS = 20;

export function readPanosXml(text: string, diags: Diagnostics): ConfigNode {
  const root = newNode("", { line: 1, column: 1 });
  const starts = documentStarts(text);
  if (starts.length > 1) diags.info(lineCol(text, starts[1]!), `${starts.length} XML documents in this file; they are read in order as one configuration`);
  for (let k = 0; k < starts.length; k++) readDocument(text, starts[k]!, starts[k + 1] ?? text.length, root, diags);
  return root;
}

/** Offsets where a document begins: 0, and every later `<?xml` declaration at the start of a line. */
function documentStarts(text: string): number[] {
  const out = [0];
  const re = /^<\?xml[\s?]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m.index > 0) out.push(m.index);
  return out;
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

interface Open {
  node: ConfigNode;
  /** `member`: its text becomes a leaf of `node`. */
  member: boolean;
  text: string;
  hasChildren: boolean;
  /** Skipped (too deep): nothing below is added. */
  skip: boolean;
  at: { line: number; column: number };
}

function readDocument(text: string, from: number, to: number, root: ConfigNode, diags: Diagnostics): void {
  const base = lineCol(text, from);
  const parser = sax.parser(true, { position: true });
  const stack: Open[] = [{ node: root, member: false, text: "", hasChildren: false, skip: false, at: base }];
  let errors = 0;
  let tagAt = base;
  const here = (): { line: number; column: number } => (parser.line === 0 ? { line: base.line, column: base.column + parser.column } : { line: base.line + parser.line, column: parser.column + 1 });
  parser.onopentagstart = () => {
    tagAt = here();
  };
  parser.onopentag = (tag) => {
    const top = stack[stack.length - 1]!;
    top.hasChildren = true;
    if (top.skip || stack.length > MAX_DEPTH) {
      if (!top.skip) diags.error(tagAt, `elements nested deeper than ${MAX_DEPTH} levels; the content of <${tag.name}> is skipped`);
      stack.push({ node: top.node, member: false, text: "", hasChildren: false, skip: true, at: tagAt });
      return;
    }
    const name = tag.attributes["name"];
    if (tag.name === "member") {
      stack.push({ node: top.node, member: true, text: "", hasChildren: false, skip: false, at: tagAt });
      return;
    }
    const key = tag.name === "entry" && typeof name === "string" ? name : tag.name;
    let node = top.node.children.get(key);
    if (!node) {
      node = newNode(key, tagAt);
      top.node.children.set(key, node);
    }
    stack.push({ node, member: false, text: "", hasChildren: false, skip: false, at: tagAt });
  };
  const onText = (t: string) => {
    const top = stack[stack.length - 1]!;
    if (!top.skip) top.text += t;
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onclosetag = () => {
    const open = stack.pop();
    if (!open || open.skip || stack.length === 0) return;
    const value = open.text.trim();
    if (value === "") return;
    if (open.member) addLeaf(open.node, value, open.at);
    else if (!open.hasChildren) addLeaf(open.node, value, open.at);
  };
  parser.onerror = (e) => {
    errors++;
    if (errors <= MAX_ERRORS) diags.error(here(), `malformed XML: ${e.message.split("\n")[0]}`);
    if (errors === MAX_ERRORS) diags.info(here(), "further XML errors in this document are not reported");
    parser.error = null as unknown as Error;
    parser.resume();
  };
  try {
    parser.write(text.slice(from, to)).close();
  } catch (e) {
    diags.error(here(), `malformed XML: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}

function addLeaf(parent: ConfigNode, value: string, at: { line: number; column: number }): void {
  const had = parent.children.get(value);
  if (had && had.children.size > 0) return;
  if (had) parent.children.delete(value);
  parent.children.set(value, newNode(value, at));
}

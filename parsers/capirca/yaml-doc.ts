/**
 * One YAML file of a Capirca / Aerleon tree (a YAML policy, include or definitions file): its
 * contents with a way to place a node at file:line:column, its YAML errors told at theirs.
 */
import { LineCounter, parseDocument } from "yaml";
import type { Diagnostic } from "../../src/model/types.js";
import type { Pos } from "./policy.js";

export interface YamlFile {
  contents: unknown;
  place: (n: unknown) => Pos;
}

/** The file's document; undefined (its errors told) when it is not valid YAML. */
export function readYaml(text: string, file: string, say: (severity: Diagnostic["severity"], pos: Pos, message: string) => void): YamlFile | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  for (const e of doc.errors) say("error", { file, line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1 }, `YAML: ${e.message.split("\n")[0]}`);
  if (doc.errors.length > 0) return undefined;
  const place = (n: unknown): Pos => {
    const range = (n as { range?: [number, number] } | null)?.range;
    const { line, col } = counter.linePos(range ? range[0] : 0);
    return { file, line, column: col };
  };
  return { contents: doc.contents, place };
}

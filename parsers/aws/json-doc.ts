/**
 * What the AWS JSON readers (security groups, network ACLs) share: the list a `describe-*` call
 * prints, at the top of the document or inside an SDK recording's `{"data": ...}`, and the place
 * of any part of the document in the text.
 */
import { type Json, Lines, jsonPlaces, pathKey } from "../json-text.js";
import type { SourceSpan } from "../../src/model/types.js";

export type Obj = { [k: string]: Json };
export type Path = (string | number)[];

export const isObj = (v: Json | undefined): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The list under `key` (`SecurityGroups`, `NetworkAcls`, ...) as the CLI prints it, or inside an
 * SDK recording's `data` (cloud-custodian's placebo files: `{"status_code": 200, "data": {...}}`),
 * with its path; undefined when neither holds a list there.
 */
export function awsList(data: Json, key: string): { list: Json[]; at: Path } | undefined {
  if (!isObj(data)) return undefined;
  const top = data[key];
  if (Array.isArray(top)) return { list: top, at: [key] };
  const inner = isObj(data.data) ? data.data[key] : undefined;
  if (Array.isArray(inner)) return { list: inner, at: ["data", key] };
  return undefined;
}

/**
 * Places in a valid JSON text: `spanAt(path)` is where the value at `path` starts (with `atKey`,
 * its member name), else the nearest part above it that is there.
 */
export function placer(text: string, file: string): (path: Path, atKey?: boolean) => SourceSpan {
  const places = jsonPlaces(text);
  const lines = new Lines(text);
  return (path, atKey = false) => {
    let offset = atKey ? places.key.get(pathKey(path)) : undefined;
    for (let n = path.length; offset === undefined && n >= 0; n--) offset = places.value.get(pathKey(path.slice(0, n)));
    const { line, column, text: lineText } = lines.at(offset ?? 0);
    return { file, line, column, text: lineText };
  };
}

/**
 * A warning for another AWS list the same document holds (security groups beside network ACLs, or
 * the other way round): each reader reads its own, so the other must be given as a file of its own.
 */
export function otherAwsList(data: Json, key: string, command: string, spanAt: (path: Path, atKey?: boolean) => SourceSpan): { line: number; column: number; message: string } | undefined {
  const other = awsList(data, key);
  if (!other) return undefined;
  const at = spanAt(other.at, true);
  return { line: at.line, column: at.column, message: `${key}: the document also holds these, which are not read with the rest: give them to fwlint as a file of their own (${command} output)` };
}

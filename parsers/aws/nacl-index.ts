/**
 * AWS network ACLs (`aws ec2 describe-network-acls` JSON) -> Ruleset: nacl-read.ts reads the
 * document (schema-checked, with places), nacl-mapper.ts builds the chains and pipelines. A bug
 * in either gives the internal-error ruleset, never an exception. Loaded on first use, apart from
 * the security-group reader.
 */
import type { Diagnostic, Ruleset } from "../../src/model/types.js";
import { internalErrorRuleset } from "../internal-error.js";
import { mapNetworkAcls } from "./nacl-mapper.js";
import { readNetworkAcls } from "./nacl-read.js";

export { detectAwsNetworkAcls } from "./nacl-detect.js";

export function parseAwsNetworkAcls(text: string, file: string): Ruleset {
  let diagnostics: Diagnostic[] = [];
  try {
    const read = readNetworkAcls(text, file);
    diagnostics = read.diagnostics;
    return mapNetworkAcls(read.acls, file, diagnostics);
  } catch (e) {
    return internalErrorRuleset("AWS network ACL reader", { format: "aws-nacl", file, families: [4, 6] }, diagnostics, e);
  }
}

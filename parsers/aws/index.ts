/**
 * AWS security groups (`aws ec2 describe-security-groups` JSON) -> Ruleset: read.ts reads the
 * document (schema-checked, with places), mapper.ts builds the chains and pipelines.
 */
import type { Ruleset } from "../../src/model/types.js";
import { mapSecurityGroups } from "./mapper.js";
import { readSecurityGroups } from "./read.js";

export function parseAwsSecurityGroups(text: string, file: string): Ruleset {
  const { groups, diagnostics } = readSecurityGroups(text, file);
  return mapSecurityGroups(groups, file, diagnostics);
}

/** The built-in checks, by the name rule packs give in `check:`. */
import type { CheckName, CheckParams } from "../../src/engine/rule-pack.js";
import type { Check } from "./context.js";
import { defaultPolicy } from "./default-policy.js";
import { exposure } from "./exposure.js";
import { shadowedRule } from "./shadowed-rule.js";

export const CHECKS: { [C in CheckName]: Check<CheckParams[C]> } = {
  exposure,
  "default-policy": defaultPolicy,
  "shadowed-rule": shadowedRule,
};

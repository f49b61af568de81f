/** The built-in checks, by the name rule packs give in `check:`. */
import type { CheckName, CheckParams } from "../../src/engine/rule-pack.js";
import { anomaly } from "./anomaly.js";
import { anyToAnyAccept } from "./any-to-any-accept.js";
import { broadSourceRange } from "./broad-source-range.js";
import type { Check } from "./context.js";
import { defaultPolicy } from "./default-policy.js";
import { exposure } from "./exposure.js";
import { icmpFullyOpen } from "./icmp-fully-open.js";
import { ipv6Parity } from "./ipv6-parity.js";
import { loadErrors } from "./load-errors.js";
import { natPortForwardExposure } from "./nat-port-forward-exposure.js";
import { outboundSmtpOpen } from "./outbound-smtp-open.js";
import { reachability } from "./reachability.js";
import { shadowedRule } from "./shadowed-rule.js";

export const CHECKS: { [C in CheckName]: Check<CheckParams[C]> } = {
  exposure,
  "default-policy": defaultPolicy,
  "shadowed-rule": shadowedRule,
  anomaly,
  "any-to-any-accept": anyToAnyAccept,
  "icmp-fully-open": icmpFullyOpen,
  "outbound-smtp-open": outboundSmtpOpen,
  "broad-source-range": broadSourceRange,
  "nat-port-forward-exposure": natPortForwardExposure,
  "ipv6-parity": ipv6Parity,
  reachability,
  "load-errors": loadErrors,
};

/**
 * Recognising Google Cloud VPC firewall rules as gcloud and the Compute API print them: a bare
 * array of firewall objects (`gcloud compute firewall-rules list --format=json`, aerleon's GCE
 * output; an empty list is `[]`), the REST list `{"items": [...]}`, one rule (`firewalls.get`),
 * `networks/instances.getEffectiveFirewalls` (`{"firewalls": [...], "firewallPolicys": [...]}`),
 * and a cloud-custodian recording that wraps any of them as `{"headers": ..., "body": ...}`.
 * A cheap scan kept apart from the reader.
 */

/** An `allowed` or `denied` list, and the protocol key only GCP spells so (AWS writes `IpProtocol`). */
const VERDICT_LIST = /"(?:allowed|denied)"\s*:\s*\[/;
const IP_PROTOCOL = /"IPProtocol"\s*:/;
const FIREWALL_KIND = /"kind"\s*:\s*"compute#firewall(?:List)?"/;
const POLICIES = /"firewallPolicys"\s*:\s*\[/;
/**
 * A recording of a Compute API call that lists or reads firewall rules, whatever its body holds
 * (`getEffectiveFirewalls` of a network without rules answers `{}`); an error response is not one.
 */
const RECORDED_CALL = /"content-location"\s*:\s*"[^"]*\/compute\/v1\/projects\/[^"]*\/(?:firewalls|getEffectiveFirewalls)\b[^"]*"/;
const ERROR_BODY = /"body"\s*:\s*\{\s*"error"\s*:/;

export function detectGcpFirewall(text: string): boolean {
  const start = text.trimStart();
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  if (start.startsWith("[")) {
    // gcloud prints an empty list as `[]`
    if (/^\[\s*\]\s*$/.test(start)) return true;
    return VERDICT_LIST.test(head) && IP_PROTOCOL.test(head);
  }
  if (!start.startsWith("{")) return false;
  if (FIREWALL_KIND.test(head) || POLICIES.test(head)) return true;
  if (VERDICT_LIST.test(head) && IP_PROTOCOL.test(head)) return true;
  return /"headers"\s*:/.test(head) && RECORDED_CALL.test(head) && !ERROR_BODY.test(head);
}

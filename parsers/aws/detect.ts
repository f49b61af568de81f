/**
 * Recognising AWS security groups as the AWS CLI and SDKs print them (`aws ec2
 * describe-security-groups`, also wrapped in an SDK recording's `{"data": ...}`): a JSON document
 * with a `SecurityGroups` list whose groups carry `IpPermissions`, or the rules of
 * `describe-security-group-rules`. A cheap scan kept apart from the reader.
 */

const GROUPS = /"SecurityGroups"\s*:\s*\[/;
const PERMISSIONS = /"IpPermissions(?:Egress)?"\s*:/;

/** `describe-security-group-rules`: a `SecurityGroupRules` list of rules that say their direction. */
const RULES = /"SecurityGroupRules"\s*:\s*\[/;
const IS_EGRESS = /"IsEgress"\s*:/;

export function detectAwsSecurityGroups(text: string): boolean {
  const start = text.trimStart();
  if (!start.startsWith("{")) return false;
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  return (GROUPS.test(head) && PERMISSIONS.test(head)) || (RULES.test(head) && IS_EGRESS.test(head));
}

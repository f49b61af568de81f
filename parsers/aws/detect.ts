/**
 * Recognising AWS security groups as the AWS CLI and SDKs print them (`aws ec2
 * describe-security-groups`, also wrapped in an SDK recording's `{"data": ...}`): a JSON document
 * with a `SecurityGroups` list whose groups carry `IpPermissions`. A cheap scan kept apart from
 * the reader.
 */

const GROUPS = /"SecurityGroups"\s*:\s*\[/;
const PERMISSIONS = /"IpPermissions(?:Egress)?"\s*:/;

export function detectAwsSecurityGroups(text: string): boolean {
  const start = text.trimStart();
  if (!start.startsWith("{")) return false;
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  return GROUPS.test(head) && PERMISSIONS.test(head);
}

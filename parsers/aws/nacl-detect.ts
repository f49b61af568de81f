/**
 * Recognising AWS network ACLs as the AWS CLI and SDKs print them (`aws ec2
 * describe-network-acls`, also wrapped in an SDK recording's `{"data": ...}`): a JSON document with
 * a `NetworkAcls` list whose ACLs carry `Entries` or a `NetworkAclId` (or an empty list). Security
 * group documents have no `NetworkAcls` key, and NACL documents no `SecurityGroups` one, so the two
 * detectors never claim each other's files. A cheap scan kept apart from the reader.
 */

const ACLS = /"NetworkAcls"\s*:\s*\[/;
const EMPTY = /"NetworkAcls"\s*:\s*\[\s*\]/;
const ACL_PARTS = /"(?:Entries|NetworkAclId)"\s*:/;

export function detectAwsNetworkAcls(text: string): boolean {
  const start = text.trimStart();
  if (!start.startsWith("{")) return false;
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  return ACLS.test(head) && (ACL_PARTS.test(head) || EMPTY.test(head));
}

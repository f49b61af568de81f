/**
 * Recognising Azure network security groups as Azure prints them: an ARM REST resource or list
 * (`{"value": [...]}`), `az network nsg show/list` (flattened), `az network nsg rule list/show`, an
 * ARM deployment template with an NSG resource, and a VCR cassette recording any of them. A cheap
 * scan kept apart from the reader. Subnets, NICs and VMs (which only name an NSG by its id) are not
 * NSGs.
 */

/**
 * An NSG's rule lists, as REST and the az CLI spell them (PowerShell's `SecurityRules` is not read);
 * `\"` where a recording holds the response as a JSON string.
 */
const RULE_LISTS = /\\?"(?:securityRules|defaultSecurityRules)\\?"\s*:\s*\[/;
/** The resource type of an NSG or of one of its rules (a template, a recorded PUT of one rule). */
const NSG_TYPE = /\\?"type\\?"\s*:\s*\\?"Microsoft\.Network\/networkSecurityGroups(?:\/(?:default)?securityRules)?\\?"/i;
/** A security rule on its own (`az network nsg rule list`): Azure's access and direction words, an address prefix. */
const ACCESS = /"access"\s*:\s*"(?:allow|deny)"/i;
const DIRECTION = /"direction"\s*:\s*"(?:inbound|outbound)"/i;
const PREFIX = /"(?:source|destination)AddressPrefix(?:es)?"\s*:/;

export function detectAzureNsg(text: string): boolean {
  const start = text.trimStart();
  if (!start.startsWith("{") && !start.startsWith("[")) return false;
  const head = text.length > 200_000 ? text.slice(0, 200_000) : text;
  if (RULE_LISTS.test(head) || NSG_TYPE.test(head)) return true;
  // a template lists its resources in any order: the NSG may come after a thousand others
  if (head !== text && NSG_TYPE.test(text)) return true;
  return ACCESS.test(head) && DIRECTION.test(head) && PREFIX.test(head);
}

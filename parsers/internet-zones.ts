/**
 * Zone names that say a zone faces the Internet, as firewall vendors' own examples and generated
 * configurations name them: untrust(ed), outside, internet, external, wan (any case). PAN-OS and
 * SRX configurations take a device's Internet side from them (before any address says it), and so
 * does an SRX policy file that holds no zone definitions.
 */
const INTERNET_ZONE = /^(?:untrust(?:ed)?|outside|internet|external|wan)$/i;

/** Does a zone of this name face the Internet, by its name? */
export function namesInternetZone(name: string): boolean {
  return INTERNET_ZONE.test(name);
}

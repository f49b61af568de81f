/**
 * Zone names that say a zone faces the Internet, as firewall vendors' own examples and generated
 * configurations name them: untrust(ed), outside, internet, external, wan (wan2, wan6 ...; any
 * case). PAN-OS and SRX configurations take a device's Internet side from them (before any address
 * says it), and so do an SRX policy file that holds no zone definitions and OpenWrt's fw4 rulesets.
 */
const INTERNET_ZONE = /^(?:untrust(?:ed)?|outside|internet|external|wan\d*)$/i;

/** Does a zone of this name face the Internet, by its name? */
export function namesInternetZone(name: string): boolean {
  return INTERNET_ZONE.test(name);
}

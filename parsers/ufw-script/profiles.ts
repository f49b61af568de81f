/**
 * ufw's application profiles (`ufw allow OpenSSH`, `ufw allow 'Nginx Full'`): a name for the
 * ports a package's server listens on, defined by files in /etc/ufw/applications.d - those the ufw
 * package installs, those of common server packages, and those a repository carries in its tree
 * (etc/ufw/applications.d, read as ufw reads them: `[Name]` sections with `ports=`, several
 * port specs split by `|`). A profile the host's packages may define and fwlint does not know is
 * left out with an info by the reader.
 */

import { join } from "node:path";
import type { IncludeIo } from "../file-io.js";
import { nameTable } from "../../src/model/name-table.js";

/** The profiles of the ufw package itself (ufw 0.36's applications.d). */
const UFW_PACKAGE: Readonly<Record<string, string>> = nameTable({
  Transmission: "51413",
  Deluge: "6881:6891/tcp",
  KTorrent: "6881/tcp|4444/udp",
  qBittorrent: "6881/tcp",
  PeopleNearby: "5353/udp|5298",
  Bonjour: "5353/udp|5298",
  MSN: "1863|6891:6900/tcp|6901",
  "MSN SSL": "443/tcp",
  AIM: "5190/tcp",
  Yahoo: "5050",
  XMPP: "5222/tcp|5269/tcp",
  "Kerberos KDC": "88",
  "Kerberos Admin": "749/tcp",
  "Kerberos Password": "464/udp",
  "Kerberos Full": "88,749/tcp|464/udp",
  LDAP: "389/tcp",
  LDAPS: "636/tcp",
  DNS: "53",
  CIFS: "137,138/udp|139,445/tcp",
  NFS: "2049,111/tcp|2049,111/udp",
  svnserve: "3690/tcp",
  Telnet: "23/tcp",
  SSH: "22/tcp",
  VNC: "5900/tcp",
  POP3: "110/tcp",
  POP3S: "995/tcp",
  IMAP: "143/tcp",
  IMAPS: "993/tcp",
  SMTP: "25/tcp",
  "Mail submission": "587/tcp",
  IPP: "631",
  LPD: "515/tcp",
  Socks: "1080/tcp",
  "Transparent Proxy": "8081/tcp",
  WWW: "80/tcp",
  "WWW Secure": "443/tcp",
  "WWW Full": "80,443/tcp",
  "WWW Cache": "8080/tcp",
});

/** Profiles common server packages of Debian and Ubuntu install (openssh-server, nginx, apache2, postfix, dovecot, bind9, samba, cups). */
export const SERVER_PACKAGES: Readonly<Record<string, string>> = nameTable({
  OpenSSH: "22/tcp",
  "Nginx HTTP": "80/tcp",
  "Nginx HTTPS": "443/tcp",
  "Nginx Full": "80,443/tcp",
  Apache: "80/tcp",
  "Apache Secure": "443/tcp",
  "Apache Full": "80,443/tcp",
  Postfix: "25/tcp",
  "Postfix SMTPS": "465/tcp",
  "Postfix Submission": "587/tcp",
  "Dovecot IMAP": "143/tcp",
  "Dovecot Secure IMAP": "993/tcp",
  "Dovecot POP3": "110/tcp",
  "Dovecot Secure POP3": "995/tcp",
  Bind9: "53",
  Samba: "137,138/udp|139,445/tcp",
  CUPS: "631",
});

export interface Profile {
  /** Its port specs (`80,443/tcp`, `53`), as `ports=` lists them. */
  ports: string[];
  /** Where it is defined: the file of the tree, or the package. */
  from: string;
}

/** The profiles `files` define (name -> text of an applications.d file), over the packages' own. */
export function profilesFrom(files: ReadonlyMap<string, string>): Map<string, Profile> {
  const out = new Map<string, Profile>();
  for (const [name, ports] of Object.entries(UFW_PACKAGE)) out.set(name, { ports: ports.split("|"), from: "the ufw package" });
  for (const [name, ports] of Object.entries(SERVER_PACKAGES)) out.set(name, { ports: ports.split("|"), from: "its server package" });
  for (const [path, text] of files) {
    let section: string | undefined;
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      const head = /^\[(.+)\]$/.exec(line);
      if (head) section = head[1];
      const ports = /^ports\s*=\s*(.+)$/.exec(line);
      if (section !== undefined && ports) out.set(section, { ports: ports[1]!.trim().split("|"), from: path });
    }
  }
  return out;
}

/** The application profiles the scanned tree (its folder `root`) defines in etc/ufw/applications.d, as a host's would: file -> text. */
export function treeProfiles(root: string, io: IncludeIo): Map<string, string> {
  const dir = join(root, "etc", "ufw", "applications.d");
  const out = new Map<string, string>();
  for (const name of (io.listDir(dir) ?? []).sort()) {
    const text = io.readFile(join(dir, name));
    if (text !== undefined) out.set(io.shown?.(join(dir, name)) ?? join(dir, name), text);
  }
  return out;
}

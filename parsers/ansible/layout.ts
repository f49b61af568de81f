/**
 * Where an Ansible project keeps what: a role's folder from the path of one of its task files
 * (roles/NAME/tasks/...), the folders an ansible.cfg names, its inventory's files. A module of its own, without the
 * YAML reader, for the CLI that asks it of every file it reads.
 */
import { basename, resolve } from "node:path";

/** The role's folder (…/roles/NAME) when `path` is a task file of a role; undefined otherwise. */
export function roleFolderOf(path: string): string | undefined {
  return /^(.*\/)?roles\/[^/]+(?=\/tasks\/)/.exec(path)?.[0];
}

/** What fwlint reads of an ansible.cfg: its [defaults] roles_path and inventory, as absolute paths. */
export interface AnsibleConfig {
  rolesPath: string[];
  inventories: string[];
}

/**
 * An ansible.cfg's `roles_path` (folders separated by ':') and `inventory` (paths separated by ',')
 * in its [defaults] section, relative paths taken from the file's folder `dir`, as Ansible takes
 * them; `~` and variables are left out (a home folder is no part of the project).
 */
export function readAnsibleConfig(text: string, dir: string): AnsibleConfig {
  const out: AnsibleConfig = { rolesPath: [], inventories: [] };
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^\s+|\s*(?:[#;].*)?$/g, "");
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      section = head[1]!.trim();
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*[=:]\s*(.*)$/.exec(line);
    if (section !== "defaults" || !kv) continue;
    const paths = (sep: string) => kv[2]!.split(sep).map((p) => p.trim()).filter((p) => p !== "" && !/^[~$]/.test(p)).map((p) => resolve(dir, p));
    if (kv[1] === "roles_path") out.rolesPath = paths(":");
    else if (kv[1] === "inventory" || kv[1] === "hostfile") out.inventories = paths(",");
  }
  return out;
}

/** Files a project keeps its inventory in beside its playbooks, by the names projects give them (after an inventory/ folder or file). */
export const INVENTORY_NAMES: readonly string[] = ["hosts", "hosts.ini", "hosts.yml", "hosts.yaml", "inventory.ini", "inventory.yml", "inventory.yaml"];

/** A file of an Ansible inventory by where it stands or its name: in an inventory/ or inventories/ folder, a file named inventory, or one of INVENTORY_NAMES. */
export function isInventoryFile(path: string): boolean {
  const name = basename(path);
  return /(^|\/)inventor(?:y|ies)\/./.test(path) || name === "inventory" || INVENTORY_NAMES.includes(name);
}

/**
 * Where an Ansible project keeps what: a role's folder from the path of one of its task files
 * (roles/NAME/tasks/...). A module of its own, without the YAML reader, for the CLI that asks it
 * of every file it reads.
 */

/** The role's folder (…/roles/NAME) when `path` is a task file of a role; undefined otherwise. */
export function roleFolderOf(path: string): string | undefined {
  return /^(.*\/)?roles\/[^/]+(?=\/tasks\/)/.exec(path)?.[0];
}

import { createHash } from "node:crypto";
import type { StoredState } from "./stored-projects.js";

/**
 * A version of everything an apply reads: each object of the projects it names, and the
 * domains of the hosts it declares, by id and etag. Any write to them (or a new object
 * in them) gives another value, so an apply carrying a dry run's value is refused when
 * someone else changed what that dry run showed, and only then.
 */
export function planEtag(state: StoredState): string {
  const versions: string[] = [];
  for (const [name, stored] of state.projects) {
    versions.push(`${name}=${stored.project.id}@${stored.project.etag}`);
    for (const o of [...stored.aliases, ...stored.domains, ...stored.rules]) {
      versions.push(`${o.id}@${o.etag}`);
    }
  }
  for (const { domain } of state.hostOwners.values()) versions.push(`${domain.id}@${domain.etag}`);
  return createHash("sha256").update(versions.sort().join("\n")).digest("base64url").slice(0, 22);
}

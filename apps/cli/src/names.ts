import type { Alias, Domain, Project, SwitchyardClient, Token } from "@switchyard/api";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import { collectPages } from "./pagination.js";
import { UsageError } from "./usage-error.js";

/** What the server prefixes each kind's ids with (apps/control-plane/src/store/ids.ts). */
const ID_PREFIXES = {
  prj: "project",
  als: "alias",
  dom: "domain",
  rul: "rule",
  tok: "token",
  evt: "audit event",
} as const;

type IdPrefix = keyof typeof ID_PREFIXES;

/**
 * Whether `value` is meant as an id of this kind rather than a name: server ids are
 * `prj_…`, `als_…` and so on, and project and alias names never hold "_" (DNS labels), so
 * the two can never be confused. A host never holds "_" either.
 */
export function isIdOf(prefix: IdPrefix, value: string): boolean {
  return value.startsWith(`${prefix}_`);
}

/** ` ("als_…" is an alias id)` when `value` is the id of another kind, else "". */
function otherKindHint(value: string): string {
  const prefix = value.slice(0, value.indexOf("_")) as IdPrefix;
  const kind = value.includes("_") ? ID_PREFIXES[prefix] : undefined;
  return kind === undefined
    ? ""
    : ` ("${value}" is ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} id)`;
}

function notFound(what: string, kind: string, value: string, where = ""): CliError {
  return new CliError(
    `${what}: no ${kind} named "${value}"${where}${otherKindHint(value)}`,
    ExitCode.notFound,
  );
}

/** How a table shows project and alias ids: by name where one is known. */
export interface Labels {
  project: (projectId: string) => string;
  alias: (aliasId: string) => string;
}

/**
 * Turns the names an operator types into the ids the API takes, and ids back into names for
 * tables, through the List calls. Each list is read once per command.
 */
export class Names {
  #projects: Promise<Project[]> | undefined;
  readonly #aliases = new Map<string, Promise<Alias[]>>();

  constructor(private readonly client: SwitchyardClient) {}

  /** Every project the caller can see. */
  projects(): Promise<Project[]> {
    this.#projects ??= collectPages(async (pageSize, pageToken) => {
      const res = await this.client.projects.listProjects({ pageSize, pageToken });
      return { items: res.projects, nextPageToken: res.nextPageToken };
    }).then((page) => page.items);
    return this.#projects;
  }

  /** Every alias of one project. */
  aliasesOf(projectId: string): Promise<Alias[]> {
    let aliases = this.#aliases.get(projectId);
    if (aliases === undefined) {
      aliases = collectPages(async (pageSize, pageToken) => {
        const res = await this.client.projects.listAliases({ projectId, pageSize, pageToken });
        return { items: res.aliases, nextPageToken: res.nextPageToken };
      }).then((page) => page.items);
      this.#aliases.set(projectId, aliases);
    }
    return aliases;
  }

  /** The id of the project `value` names (a name or an id); `what` is the flag, e.g. "--project". */
  async projectId(what: string, value: string): Promise<string> {
    if (isIdOf("prj", value)) return value;
    const project = (await this.projects()).find((p) => p.name === value);
    if (project === undefined) throw notFound(what, "project", value);
    return project.id;
  }

  /**
   * The id of the alias `value` names. A name is looked up in `projectId`'s aliases, or in every
   * project's when none is given; a name several projects use is refused as ambiguous.
   */
  async aliasId(what: string, value: string, projectId?: string): Promise<string> {
    if (isIdOf("als", value)) return value;
    const projects =
      projectId === undefined ? await this.projects() : [{ id: projectId, name: "" }];
    const matches: { alias: Alias; projectName: string }[] = [];
    for (const project of projects) {
      for (const alias of await this.aliasesOf(project.id)) {
        if (alias.name === value) matches.push({ alias, projectName: project.name });
      }
    }
    if (matches.length === 1) return matches[0]!.alias.id;
    if (matches.length === 0) {
      const where =
        projectId === undefined ? "" : ` in project ${await this.projectLabel(projectId)}`;
      throw notFound(what, "alias", value, where);
    }
    const names = matches.map((m) => `${m.projectName}/${value}`).join(", ");
    throw new UsageError(
      `${what}: alias "${value}" is ambiguous (${names}); give --project to say which`,
    );
  }

  /** The id of the domain `value` names (a host or an id). */
  async domainId(what: string, value: string): Promise<string> {
    if (isIdOf("dom", value)) return value;
    const host = value.toLowerCase();
    const domains = await collectPages<Domain>(async (pageSize, pageToken) => {
      const res = await this.client.projects.listDomains({ projectId: "", pageSize, pageToken });
      return { items: res.domains, nextPageToken: res.nextPageToken };
    });
    const domain = domains.items.find((d) => d.host === host);
    if (domain === undefined) throw notFound(what, "domain", value);
    return domain.id;
  }

  /** The id of the token `value` names (a name or an id); a name several tokens share is refused. */
  async tokenId(what: string, value: string): Promise<string> {
    if (isIdOf("tok", value)) return value;
    const tokens = await collectPages<Token>(async (pageSize, pageToken) => {
      const res = await this.client.tokens.listTokens({ pageSize, pageToken });
      return { items: res.tokens, nextPageToken: res.nextPageToken };
    });
    const matches = tokens.items.filter((t) => t.name === value);
    if (matches.length === 1) return matches[0]!.id;
    if (matches.length === 0) throw notFound(what, "token", value);
    throw new UsageError(
      `${what}: ${matches.length} tokens are named "${value}" (${matches.map((t) => t.id).join(", ")}); give the id`,
    );
  }

  /** A project's name, or its id when the caller cannot see it. */
  async projectLabel(projectId: string): Promise<string> {
    return (await this.projectNames())(projectId);
  }

  /**
   * Looks up project names (one List call) for display; unknown ids are shown as they are. A
   * failed lookup shows ids: the command's own call has succeeded (a write has committed) and
   * must not be reported as failed for a label.
   */
  async projectNames(): Promise<(projectId: string) => string> {
    const names = new Map<string, string>();
    try {
      for (const p of await this.projects()) names.set(p.id, p.name);
    } catch {
      // Shown by id.
    }
    return (id) => names.get(id) ?? id;
  }

  /** The names of every project, and of the aliases of `projectIds`, for a table. */
  async labels(projectIds: Iterable<string>): Promise<Labels> {
    return { project: await this.projectNames(), alias: await this.aliasNames(projectIds) };
  }

  /** Looks up the alias names of these projects for display, as {@link projectNames} does. */
  async aliasNames(projectIds: Iterable<string>): Promise<(aliasId: string) => string> {
    const names = new Map<string, string>();
    try {
      for (const projectId of new Set(projectIds)) {
        for (const alias of await this.aliasesOf(projectId)) names.set(alias.id, alias.name);
      }
    } catch {
      // Shown by id.
    }
    return (id) => names.get(id) ?? id;
  }
}

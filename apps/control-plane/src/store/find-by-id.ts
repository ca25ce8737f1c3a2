import type { Queryable } from "./db.js";
import { notFound } from "./errors.js";
import { type IdPrefix, isIdOf } from "./ids.js";

/** What each kind of id names: its table, and the word messages use. */
const KINDS = {
  prj: { table: "projects", what: "project" },
  als: { table: "aliases", what: "alias" },
  dom: { table: "domains", what: "domain" },
  rul: { table: "rules", what: "rule" },
  tok: { table: "api_tokens", what: "token" },
} as const satisfies Partial<Record<IdPrefix, { table: string; what: string }>>;

/** The kinds of resource a request can name by id. */
export type ResourceKind = keyof typeof KINDS;

/**
 * The row (`columns`) of the `kind` resource `id`, or NotFound naming `field` when given (an
 * id referenced from inside a request, like `rule.alias_id`). Every lookup of an id taken
 * from a request goes through here: an id that is not of the server's own form cannot exist,
 * so it gets the same NotFound without a query, and request ids never reach SQL with a
 * character Postgres refuses (U+0000 would be an Internal error).
 */
export async function findById<R>(
  tx: Queryable,
  kind: ResourceKind,
  columns: string,
  id: string,
  field?: string,
): Promise<R> {
  const { table, what } = KINDS[kind];
  if (!isIdOf(kind, id)) throw notFound(what, id, field);
  const [row] = await tx.query<R>(`SELECT ${columns} FROM ${table} WHERE id = $1`, [id]);
  if (!row) throw notFound(what, id, field);
  return row;
}

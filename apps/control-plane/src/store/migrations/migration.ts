/**
 * One schema change. Statements run in order in the migration transaction;
 * versions are applied in ascending order and recorded in `schema_migrations`.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

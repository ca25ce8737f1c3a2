import type { Migration } from "./migration.js";

/**
 * The first schema. Every config row carries `revision`: the config revision
 * that last wrote it, which is also its etag. Rules keep their API fields as
 * protobuf JSON in `spec` (secret header values encrypted), so a snapshot is a
 * plain read.
 */
export const migration: Migration = {
  version: 1,
  name: "init",
  statements: [
    // One row. Every config write bumps it first, so its row lock also
    // serialises config writes (docs/decisions.md, "Store revisions").
    `CREATE TABLE config_revision (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      revision bigint NOT NULL,
      update_time timestamptz NOT NULL
    )`,
    `INSERT INTO config_revision (revision, update_time) VALUES (0, now())`,

    `CREATE TABLE projects (
      id text PRIMARY KEY,
      name text NOT NULL CONSTRAINT projects_name_key UNIQUE,
      description text NOT NULL,
      rate_limit jsonb,
      revision bigint NOT NULL,
      create_time timestamptz NOT NULL,
      update_time timestamptz NOT NULL
    )`,

    `CREATE TABLE aliases (
      id text PRIMARY KEY,
      project_id text NOT NULL REFERENCES projects (id),
      name text NOT NULL,
      inherit_project_rules boolean NOT NULL,
      revision bigint NOT NULL,
      create_time timestamptz NOT NULL,
      update_time timestamptz NOT NULL,
      CONSTRAINT aliases_project_name_key UNIQUE (project_id, name)
    )`,

    `CREATE TABLE domains (
      id text PRIMARY KEY,
      host text NOT NULL CONSTRAINT domains_host_key UNIQUE
        CONSTRAINT domains_host_normalised CHECK (host = lower(host) AND right(host, 1) <> '.'),
      project_id text NOT NULL REFERENCES projects (id),
      alias_id text REFERENCES aliases (id),
      revision bigint NOT NULL,
      create_time timestamptz NOT NULL,
      update_time timestamptz NOT NULL
    )`,
    `CREATE INDEX domains_project_idx ON domains (project_id, host)`,
    `CREATE INDEX domains_alias_idx ON domains (alias_id)`,

    // Match order within a project: scope ('' = project defaults first), then
    // rule_order, then the older rule (create_revision), then id.
    `CREATE TABLE rules (
      id text PRIMARY KEY,
      project_id text NOT NULL REFERENCES projects (id),
      alias_id text REFERENCES aliases (id),
      rule_order integer NOT NULL,
      spec jsonb NOT NULL,
      create_revision bigint NOT NULL,
      revision bigint NOT NULL,
      create_time timestamptz NOT NULL,
      update_time timestamptz NOT NULL
    )`,
    `CREATE INDEX rules_match_idx
      ON rules (project_id, (coalesce(alias_id, '')), rule_order, create_revision, id)`,
    `CREATE INDEX rules_alias_idx ON rules (alias_id)`,

    `CREATE TABLE api_tokens (
      id text PRIMARY KEY,
      name text NOT NULL,
      role smallint NOT NULL,
      project_ids text[] NOT NULL,
      secret_hash text NOT NULL CONSTRAINT api_tokens_secret_hash_key UNIQUE,
      create_time timestamptz NOT NULL,
      last_used_time timestamptz
    )`,
    `CREATE INDEX api_tokens_name_idx ON api_tokens (name, id)`,

    `CREATE TABLE audit_events (
      seq bigserial PRIMARY KEY,
      id text NOT NULL CONSTRAINT audit_events_id_key UNIQUE,
      time timestamptz NOT NULL,
      actor text NOT NULL,
      action text NOT NULL,
      resource text NOT NULL,
      before jsonb,
      after jsonb,
      revision bigint NOT NULL
    )`,
  ],
};

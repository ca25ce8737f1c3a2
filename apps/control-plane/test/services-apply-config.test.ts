import { clone, create, equals } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ConfigChangeAction,
  type ConfigDocument,
  ConfigDocumentSchema,
  Role,
} from "@switchyard/api";
import { formatDocument, readDocument } from "@switchyard/config-doc";
import { describe, expect, it } from "vitest";
import { label, useApi } from "./services-fixture.js";

/** Anything as JSON text, int64s included. */
const text = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/** A document from YAML, with `${VAR}`s resolved from `env`; fails the test on any issue. */
function doc(yaml: string, env: Record<string, string> = {}): ConfigDocument {
  const read = readDocument(yaml, "test.yaml", env);
  expect(read.issues).toEqual([]);
  return read.document;
}

function site(name: string, host: string, extra = "") {
  return `projects:
  - name: ${name}
    description: a site
    aliases:
      - name: production
        inherit_project_rules: true
        rules:
          - path_pattern: /api/*
            target_url: https://api.example.com
            allowed_methods: [get]
    domains:
      - host: ${host}
        alias: production
    rules:
      - path_pattern: /docs/*
        target_url: https://docs.example.com
        header_config:
          add:
            - name: x-api-key
              value: \${DOCS_KEY}
              secret: true
      - path_pattern: /health
        target_url: https://status.example.com
        auth: { mode: UNAUTHENTICATED }
${extra}`;
}

describe("ConfigDocumentService", () => {
  const api = useApi();
  const revision = async () => (await api.admin.config.getConfigRevision({})).revision;
  const exported = async (name: string) =>
    (await api.admin.documents.exportConfig({ projectNames: [name] })).document!;

  it("applies a whole document in one revision, then changes nothing and says so", async () => {
    const name = label("web");
    const document = doc(site(name, `${name}.example.com`), { DOCS_KEY: "k-1" });
    const before = await revision();

    const dry = await api.admin.documents.applyConfig({ document, dryRun: true });
    expect(dry.applied).toBe(false);
    expect(await revision()).toBe(before);
    expect(dry.changes.map((c) => `${ConfigChangeAction[c.action]} ${c.kind} ${c.name}`)).toEqual([
      `CREATE project ${name}`,
      `CREATE alias ${name}/production`,
      `CREATE domain ${name}.example.com`,
      `CREATE rule ${name}: /docs/*`,
      `CREATE rule ${name}: /health`,
      `CREATE rule ${name}/production: /api/*`,
    ]);

    const applied = await api.admin.documents.applyConfig({ document });
    expect(applied.applied).toBe(true);
    expect(applied.revision).toBe(before + 1n);
    expect(applied.changes).toEqual(dry.changes);
    const { snapshot } = await api.admin.config.getConfigSnapshot({});
    const project = snapshot!.projects.find((p) => p.name === name)!;
    const rules = snapshot!.rules.filter((r) => r.projectId === project.id);
    expect(rules).toHaveLength(3);
    expect(rules.find((r) => r.pathPattern === "/api/*")?.allowedMethods).toEqual(["GET"]);

    const again = await api.admin.documents.applyConfig({ document });
    expect(again).toMatchObject({ applied: false, changes: [], revision: before + 1n });
    expect(await revision()).toBe(before + 1n);
  });

  it("round-trips: export, apply with the secrets set, export again gives the same document", async () => {
    const name = label("round");
    await api.admin.documents.applyConfig({
      document: doc(site(name, `${name}.example.com`), { DOCS_KEY: "k-1" }),
    });
    const first = await exported(name);
    const secretRef = first.projects[0]!.rules[0]!.headerConfig!.add[0]!.value;
    expect(secretRef).toMatch(/^\$\{[A-Z0-9_]+_X_API_KEY\}$/);
    expect(JSON.stringify(first)).not.toContain("k-1");

    // The exported document, read back as a file would be, with its variable set.
    const variable = secretRef.slice(2, -1);
    const reread = doc(formatDocument(first), { [variable]: "k-1" });
    const res = await api.admin.documents.applyConfig({ document: reread });
    expect(res).toMatchObject({ applied: false, changes: [] });
    expect(equals(ConfigDocumentSchema, await exported(name), first)).toBe(true);

    // Another secret value is a change, shown without the value.
    const changed = doc(formatDocument(first), { [variable]: "k-2" });
    const dry = await api.admin.documents.applyConfig({ document: changed, dryRun: true });
    expect(dry.changes).toHaveLength(1);
    expect(dry.changes[0]!.details).toEqual(["header_config: a secret value changes"]);
    expect(text(dry)).not.toContain("k-");
  });

  it("round-trips text that only looks like a reference", async () => {
    const name = label("literal");
    const yaml = `projects:\n  - name: ${name}\n    description: "costs $\${PRICE} per call {x}"\n    rules:\n      - path_pattern: /x\n        target_url: https://x.example.com\n        header_config:\n          add:\n            - { name: x-template, value: "a $\${B} c" }\n`;
    await api.admin.documents.applyConfig({ document: doc(yaml) });
    const first = await exported(name);
    expect(first.projects[0]!.description).toBe("costs $${PRICE} per call {x}");
    const again = await api.admin.documents.applyConfig({ document: doc(formatDocument(first)) });
    expect(again).toMatchObject({ applied: false, changes: [] });
  });

  it("updates in place, orders rules as the document does, and prunes only with prune", async () => {
    const name = label("order");
    const host = `${name}.example.com`;
    await api.admin.documents.applyConfig({ document: doc(site(name, host), { DOCS_KEY: "k" }) });
    const before = await exported(name);
    const docsId = (await idsOf(name)).get("/docs/*");

    const next = clone(ConfigDocumentSchema, before);
    const spec = next.projects[0]!;
    spec.rules.reverse(); // /health first
    spec.rules[0]!.targetUrl = "https://status2.example.com";
    spec.aliases = []; // the alias and its rule are no longer declared
    spec.domains = [];
    next.projects[0] = spec;
    const resolved = doc(formatDocument(next), {
      [before.projects[0]!.rules[0]!.headerConfig!.add[0]!.value.slice(2, -1)]: "k",
    });

    const kept = await api.admin.documents.applyConfig({ document: resolved, dryRun: true });
    expect(kept.changes.map((c) => ConfigChangeAction[c.action])).toEqual(["UPDATE", "REORDER"]);
    expect(kept.changes[0]!.details).toEqual([
      'target_url: "https://status.example.com" -> "https://status2.example.com"',
    ]);
    expect(kept.changes[1]!.details).toEqual(["1. /health", "2. /docs/*"]);

    const pruned = await api.admin.documents.applyConfig({ document: resolved, prune: true });
    expect(pruned.changes.map((c) => `${ConfigChangeAction[c.action]} ${c.kind}`)).toEqual([
      "DELETE domain",
      "UPDATE rule",
      "REORDER rule",
      "DELETE alias",
    ]);
    const after = await exported(name);
    expect(after.projects[0]!.aliases).toEqual([]);
    expect(after.projects[0]!.domains).toEqual([]);
    expect(after.projects[0]!.rules.map((r) => r.pathPattern)).toEqual(["/health", "/docs/*"]);
    // Matched rules are updated, not replaced: the id survives.
    expect((await idsOf(name)).get("/docs/*")).toBe(docsId);
  });

  it("refuses an apply whose dry run is stale, and applies nothing", async () => {
    const name = label("race");
    const document = doc(site(name, `${name}.example.com`), { DOCS_KEY: "k" });
    await api.admin.documents.applyConfig({ document });
    const changed = clone(ConfigDocumentSchema, document);
    changed.projects[0]!.description = "changed by the file";
    const dry = await api.admin.documents.applyConfig({ document: changed, dryRun: true });

    // Someone else changes a rule of the project between the dry run and the apply.
    const ruleId = (await idsOf(name)).get("/health")!;
    const { rule } = await api.admin.rules.getRule({ id: ruleId });
    await api.admin.rules.updateRule({
      rule: { ...rule!, description: "changed elsewhere" },
      updateMask: { paths: ["description"] },
    });
    const before = await revision();
    const err = await api.admin.documents
      .applyConfig({ document: changed, planEtag: dry.planEtag })
      .catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.Aborted);
    expect(await revision()).toBe(before);
    expect((await exported(name)).projects[0]!.description).toBe("a site");
  });

  it("changes nothing when any part fails: an invalid rule, a host another project holds, a scoped token", async () => {
    const other = label("other");
    const holder = label("holder");
    await api.admin.documents.applyConfig({
      document: doc(site(holder, `${holder}.example.com`), { DOCS_KEY: "k" }),
    });
    const before = await revision();
    const snapshotBefore = (await api.admin.config.getConfigSnapshot({})).snapshot!;

    const invalid = doc(site(other, `${other}.example.com`), { DOCS_KEY: "k" });
    invalid.projects[0]!.rules[1]!.targetUrl = "https://169.254.169.254/latest";
    const bad = await api.admin.documents
      .applyConfig({ document: invalid })
      .catch(ConnectError.from);
    expect(bad).toMatchObject({ code: Code.InvalidArgument });
    expect((bad as ConnectError).rawMessage).toMatch(/^projects\[0\]\.rules\[1\]\.target_url: /);

    const stolen = doc(site(other, `${holder}.example.com`), { DOCS_KEY: "k" });
    const conflict = await api.admin.documents
      .applyConfig({ document: stolen })
      .catch(ConnectError.from);
    expect(conflict).toMatchObject({ code: Code.FailedPrecondition });
    expect((conflict as ConnectError).rawMessage).toContain(`project "${holder}"`);

    const holderId = snapshotBefore.projects.find((p) => p.name === holder)!.id;
    const scoped = (
      await api.admin.tokens.createToken({
        token: { name: label("t"), role: Role.EDITOR, projectIds: [holderId] },
      })
    ).secret;
    const both = create(ConfigDocumentSchema, {
      projects: [
        doc(site(holder, `${holder}.example.com`), { DOCS_KEY: "changed" }).projects[0]!,
        doc(site(other, `${other}.example.com`), { DOCS_KEY: "k" }).projects[0]!,
      ],
    });
    const denied = await api
      .client(scoped)
      .documents.applyConfig({ document: both })
      .catch(ConnectError.from);
    expect(denied).toMatchObject({ code: Code.PermissionDenied });

    expect(await revision()).toBe(before);
    const snapshotAfter = (await api.admin.config.getConfigSnapshot({})).snapshot!;
    expect(snapshotAfter.projects.map((p) => p.name)).toEqual(
      snapshotBefore.projects.map((p) => p.name),
    );
  });

  it("moves a host between two projects the document declares, in one revision", async () => {
    const a = label("move-a");
    const b = label("move-b");
    const host = `${a}-shared.example.com`;
    await api.admin.documents.applyConfig({ document: doc(site(a, host), { DOCS_KEY: "k" }) });
    const moved = doc(
      `projects:\n  - name: ${a}\n  - name: ${b}\n    domains:\n      - host: ${host}\n`,
    );
    const before = await revision();
    const res = await api.admin.documents.applyConfig({ document: moved });
    expect(res.revision).toBe(before + 1n);
    expect(res.changes.map((c) => `${ConfigChangeAction[c.action]} ${c.kind} ${c.name}`)).toEqual([
      `UPDATE project ${a}`, // the document declares it without a description
      `CREATE project ${b}`,
      `DELETE domain ${host}`,
      `CREATE domain ${host}`,
    ]);
    expect((await exported(b)).projects[0]!.domains.map((d) => d.host)).toEqual([host]);
    expect((await exported(a)).projects[0]!.domains).toEqual([]);
  });

  it("audits every object an apply writes under the one revision", async () => {
    const name = label("audit");
    const res = await api.admin.documents.applyConfig({
      document: doc(site(name, `${name}.example.com`), { DOCS_KEY: "k" }),
    });
    const { events } = await api.admin.audit.listAuditEvents({ pageSize: 100 });
    const mine = events.filter((e) => e.revision === res.revision);
    expect(mine).toHaveLength(6);
    expect(new Set(mine.map((e) => e.action))).toEqual(
      new Set(["switchyard.v1.ConfigDocumentService/ApplyConfig"]),
    );
    expect(text(mine)).not.toContain('"k"');
  });

  it("refuses API-only fields a document leaves to the server", async () => {
    const document = doc(site(label("ids"), `${label("ids")}.example.com`), { DOCS_KEY: "k" });
    document.projects[0]!.rules[0]!.order = 5;
    const err = await api.admin.documents.applyConfig({ document }).catch(ConnectError.from);
    expect(err).toMatchObject({ code: Code.InvalidArgument });
    expect((err as ConnectError).rawMessage).toContain(
      "projects[0].rules[0].order: is not part of a document",
    );
  });

  async function idsOf(name: string): Promise<Map<string, string>> {
    const { snapshot } = await api.admin.config.getConfigSnapshot({});
    const project = snapshot!.projects.find((p) => p.name === name)!;
    return new Map(
      snapshot!.rules.filter((r) => r.projectId === project.id).map((r) => [r.pathPattern, r.id]),
    );
  }
});

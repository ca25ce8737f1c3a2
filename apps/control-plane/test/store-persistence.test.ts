import { create } from "@bufbuild/protobuf";
import { AliasSchema, DomainSchema, Role, RuleSchema, TokenSchema } from "@switchyard/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeySpec, parseKeyring } from "../src/secrets/keyring.js";
import { sealRuleSecrets } from "../src/secrets/rule-secrets.js";
import {
  backends,
  createLocation,
  ctx,
  newProject,
  newRule,
  type StoreLocation,
} from "./store-fixture.js";

describe.each(backends)("restart on $backend", ({ backend, skip }) => {
  describe.skipIf(skip)("store", () => {
    const oldSpec = generateKeySpec("old");
    const keyring = parseKeyring(oldSpec);
    let location: StoreLocation;
    beforeAll(async () => {
      location = await createLocation(backend);
    });
    afterAll(() => location?.remove());

    it("keeps every resource and the revision across close and reopen", async () => {
      const first = await location.open(keyring);
      const project = await newProject(first, { rateLimit: { limit: 3, windowMs: 1000 } });
      const alias = await first.aliases.create(
        ctx,
        create(AliasSchema, { projectId: project.id, name: "prod", inheritProjectRules: true }),
      );
      await first.domains.create(
        ctx,
        create(DomainSchema, { projectId: project.id, host: "app.example.com", aliasId: alias.id }),
      );
      const secretHeaders = create(RuleSchema, {
        headerConfig: { add: [{ name: "x-key", value: "s3cret", secret: true }] },
      });
      const input = await newRule(first, {
        projectId: project.id,
        headerConfig: sealRuleSecrets(secretHeaders, undefined, keyring).headerConfig,
        aliasId: alias.id,
      });
      await first.tokens.create(ctx, create(TokenSchema, { name: "ci", role: Role.EDITOR }), "h1");
      const before = await first.snapshot();
      const audit = await first.audit.list({});
      await first.close();

      const second = await location.open(keyring);
      try {
        expect(await second.snapshot()).toEqual(before);
        expect((await second.revision()).revision).toBe(before.revision);
        expect((await second.audit.list({})).items).toEqual(audit.items);
        expect((await second.tokens.findBySecretHash("h1"))?.name).toBe("ci");
        const rule = before.rules.find((r) => r.id === input.id)!;
        expect(keyring.decrypt(rule.headerConfig!.add[0]!.encryptedValue)).toBe("s3cret");
        // The next write continues from the kept revision.
        const next = await newProject(second);
        expect(BigInt(next.etag)).toBe(before.revision + 1n);
      } finally {
        await second.close();
      }
    });

    it("refuses to open when stored secrets use a key missing from the keyring", async () => {
      await expect(location.open(parseKeyring(generateKeySpec("new")))).rejects.toThrow(
        /SWITCHYARD_ENCRYPTION_KEYS: stored secrets use keys missing from the keyring: "old" \(e\.g\. rule rul_/,
      );
      const rotated = await location.open(parseKeyring(`${generateKeySpec("new")},${oldSpec}`));
      await rotated.close();
    });
  });
});

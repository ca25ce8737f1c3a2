/**
 * The rules of the fleet benchmarks, as operators write them: 100 per project, one domain per
 * project, one upstream origin per project; prefix, exact and `:param` patterns; methods, an
 * allowed header, an added header (a secret one in every tenth rule), a stripped header, and an
 * open auth policy. About 330 bytes each as protobuf.
 */
import { createCipheriv, randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  AuthMode,
  type ConfigSnapshot,
  ConfigSnapshotSchema,
  DomainSchema,
  ProjectSchema,
  RuleSchema,
} from "@switchyard/api";

export const RULES_PER_PROJECT = 100;

/** The path pattern of rule `i` (unique within its project). */
export function pathPattern(i: number): string {
  switch (i % 5) {
    case 0:
      return `/svc${i}/*`;
    case 1:
      return `/api/v${i % 3}/svc${i}/*`;
    case 2:
      return `/page${i}`;
    case 3:
      return `/users${i}/:id/profile`;
    default:
      return `/svc${i}/health`;
  }
}

/** Rule `i`'s target; `version` changes its path (what the benchmark's updates change). */
export function targetUrl(i: number, project: number, version: number): string {
  return `https://backend-${project}.bench.example.com/v${version}/svc${i}`;
}

export const domainHost = (project: number) => `app${project}.bench.example.com`;

/** Rule `i` of project `projectId` as the API's JSON (CreateRule's `rule`). */
export function ruleJson(i: number, project: number, projectId: string): Record<string, unknown> {
  return {
    projectId,
    pathPattern: pathPattern(i),
    targetUrl: targetUrl(i, project, 1),
    order: (i % RULES_PER_PROJECT) * 10,
    timeoutMs: 30_000,
    description: `service ${i} of project ${project}`,
    allowedMethods: ["GET", "POST", "PUT"],
    allowedHeaders: ["x-tenant-id"],
    headerConfig: {
      add: [{ name: "x-api-key", value: `key-${i}`, secret: i % 10 === 0 }],
      strip: ["x-debug"],
    },
    auth: { mode: "AUTH_MODE_UNAUTHENTICATED" },
  };
}

/** A keyring entry (`id:base64key`) and an encrypter in the keyring's format. */
export function benchKeyring(): { spec: string; encrypt: (plain: string) => string } {
  const key = randomBytes(32);
  return {
    spec: `k1:${key.toString("base64")}`,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `k1:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64")}`;
    },
  };
}

/**
 * A snapshot of `ruleCount` rules at `revision`, as the control plane would publish it for the
 * same rules created through the API; secret values encrypted with `encrypt`.
 */
export function benchSnapshot(
  ruleCount: number,
  revision: bigint,
  encrypt: (plain: string) => string,
): ConfigSnapshot {
  const projects = Math.ceil(ruleCount / RULES_PER_PROJECT);
  const projectId = (p: number) => `prj_${p.toString(36).padStart(12, "0")}`;
  const secret = encrypt("bench-secret-value");
  const time = timestampFromMs(1_700_000_000_000);
  return create(ConfigSnapshotSchema, {
    revision,
    createTime: timestampFromMs(Date.now()),
    projects: Array.from({ length: projects }, (_, p) =>
      create(ProjectSchema, {
        id: projectId(p),
        name: `bench-${p}`,
        createTime: time,
        updateTime: time,
      }),
    ),
    domains: Array.from({ length: projects }, (_, p) =>
      create(DomainSchema, {
        id: `dom_${p.toString(36).padStart(12, "0")}`,
        host: domainHost(p),
        projectId: projectId(p),
        createTime: time,
        updateTime: time,
      }),
    ),
    rules: Array.from({ length: ruleCount }, (_, i) => {
      const p = Math.floor(i / RULES_PER_PROJECT);
      const isSecret = i % 10 === 0;
      return create(RuleSchema, {
        id: `rul_${i.toString(36).padStart(12, "0")}`,
        projectId: projectId(p),
        pathPattern: pathPattern(i),
        targetUrl: targetUrl(i, p, 1),
        stripPrefix: true,
        order: (i % RULES_PER_PROJECT) * 10,
        timeoutMs: 30_000,
        enabled: true,
        description: `service ${i} of project ${p}`,
        allowedMethods: ["GET", "POST", "PUT"],
        allowedHeaders: ["x-tenant-id"],
        headerConfig: {
          add: [
            isSecret
              ? { name: "x-api-key", secret: true, encryptedValue: secret }
              : { name: "x-api-key", value: `key-${i}` },
          ],
          strip: ["x-debug"],
        },
        auth: { mode: AuthMode.UNAUTHENTICATED },
        etag: `"${(i + 1).toString(16).padStart(16, "0")}"`,
        createTime: timestampFromMs(1_700_000_000_000 + i),
        updateTime: timestampFromMs(1_700_000_000_000 + i),
      });
    }),
  });
}

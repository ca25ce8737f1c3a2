import { describe, expect, it } from "vitest";
import { documentSnapshot } from "./document-snapshot.js";
import { readDocument } from "./read-document.js";

const FILE = `projects:
  - name: web
    aliases:
      - name: production
        rules:
          - path_pattern: /api/*
            target_url: https://api.example.com
            allowed_methods: [get]
    domains:
      - host: WWW.Example.com.
        alias: production
      - host: example.com
    rules:
      - path_pattern: /a
        target_url: https://a.example.com
      - path_pattern: /b
        target_url: https://b.example.com
        strip_prefix: false
`;

describe("documentSnapshot", () => {
  it("gives every object the server would create, with defaults, ordered as listed", () => {
    const { document, issues } = readDocument(FILE, "web.yaml", {});
    expect(issues).toEqual([]);
    const snapshot = documentSnapshot(document);
    expect(snapshot.projects.map((p) => p.id)).toEqual(["file:web"]);
    expect(snapshot.aliases.map((a) => [a.id, a.projectId])).toEqual([
      ["file:web/production", "file:web"],
    ]);
    expect(snapshot.domains.map((d) => [d.host, d.aliasId])).toEqual([
      ["www.example.com", "file:web/production"],
      ["example.com", ""],
    ]);
    expect(
      snapshot.rules.map((r) => [r.id, r.aliasId, r.order, r.stripPrefix, r.timeoutMs]),
    ).toEqual([
      ["file:web/production#1", "file:web/production", 10, true, 30000],
      ["file:web#1", "", 10, true, 30000],
      ["file:web#2", "", 20, false, 30000],
    ]);
    expect(snapshot.rules[0]?.allowedMethods).toEqual(["GET"]);
  });
});

import { AuthMode, type Rule } from "@switchyard/api";
import type { Labels } from "../names.js";
import { type Column, formatBool, formatDetails, formatTime } from "../output.js";
import { formatRateLimit } from "../rate-limit-flags.js";

/** The columns of `rules list` (and of `rules reorder`), projects and aliases by name. */
export const ruleColumns = (label: Labels): Column<Rule>[] => [
  { header: "id", value: (r) => r.id },
  { header: "project", value: (r) => label.project(r.projectId) },
  { header: "alias", value: (r) => (r.aliasId ? label.alias(r.aliasId) : "(defaults)") },
  { header: "order", value: (r) => (r.order === undefined ? "" : String(r.order)) },
  { header: "path", value: (r) => r.pathPattern, maxWidth: 40 },
  { header: "target", value: (r) => r.targetUrl, maxWidth: 50 },
  { header: "methods", value: (r) => r.allowedMethods.join(",") || "*" },
  { header: "auth", value: (r) => formatAuth(r.auth?.mode) },
  { header: "rate limit", value: (r) => formatRateLimit(r.rateLimit) },
  { header: "enabled", value: (r) => formatBool(r.enabled ?? true) },
];

/** Every field of one rule; secret header values stay the API's mask. */
export function ruleDetails(r: Rule | undefined, label: Labels): string {
  if (!r) return "";
  const added = (r.headerConfig?.add ?? []).map(
    (h) => `${h.name}=${h.value}${h.secret ? " (secret)" : ""}`,
  );
  return formatDetails([
    ["id", r.id],
    ["project", `${label.project(r.projectId)} (${r.projectId})`],
    ["scope", r.aliasId ? `alias ${label.alias(r.aliasId)} (${r.aliasId})` : "project defaults"],
    ["order", r.order === undefined ? "" : String(r.order)],
    ["path", r.pathPattern],
    ["target", r.targetUrl],
    ["strip prefix", formatBool(r.stripPrefix ?? true)],
    ["timeout ms", r.timeoutMs === 0 ? "30000 (default)" : String(r.timeoutMs)],
    ["preserve host", formatBool(r.preserveHost)],
    ["enabled", formatBool(r.enabled ?? true)],
    ["description", r.description],
    ["methods", r.allowedMethods.join(", ") || "*"],
    ["allowed headers", r.allowedHeaders.join(", ")],
    ["add headers", added.join(", ")],
    ["strip headers", (r.headerConfig?.strip ?? []).join(", ")],
    ["auth", formatAuth(r.auth?.mode)],
    ["auth cookie", r.auth?.cookieName ?? ""],
    [
      "required claims",
      (r.auth?.requireClaims ?? []).map((c) => `${c.name}=${c.values.join(",")}`).join(" "),
    ],
    ["rate limit", formatRateLimit(r.rateLimit) || "(project or fleet default)"],
    ["egress proxy", r.egressProxyUrl],
    ["websocket", formatBool(r.websocket)],
    ["etag", r.etag],
    ["created", formatTime(r.createTime)],
    ["updated", formatTime(r.updateTime)],
  ]);
}

/** The auth mode in the CLI's words; unspecified is treated as require (rule.proto). */
export function formatAuth(mode: AuthMode | undefined): string {
  switch (mode) {
    case AuthMode.FORWARD:
      return "forward";
    case AuthMode.UNAUTHENTICATED:
      return "none";
    default:
      return "require";
  }
}

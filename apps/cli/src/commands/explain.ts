import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import {
  AuthMode,
  ExplainOutcome,
  type ExplainRequest,
  ExplainRequestSchema,
  type ExplainResponse,
  ExplainResponseSchema,
  type PassedOverRule,
  PassOverReason,
} from "@switchyard/api";
import { documentSnapshot } from "@switchyard/config-doc";
import { explainSnapshot } from "@switchyard/control-plane";
import type { Command } from "commander";
import { CliError } from "../cli-error.js";
import { contextOf } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { parseHeaderAssignment, parseMethod } from "../flags.js";
import type { CliIo } from "../io.js";
import { type Column, formatBool, formatDetails, formatTable } from "../output.js";
import { formatRateLimit } from "../rate-limit-flags.js";
import { loadChecked, targetPolicyOf } from "./config-files.js";
import { formatAuth } from "./rule-view.js";

const help = `
Computed by the control plane from the revision it serves, with the workers' own matching
and policy code. Explained as the workers' default SWITCHYARD_PATH_SEMICOLONS=reject.
With --file, computed here by the same code from config files not yet applied (as apply to
an empty store would make them; targets checked as SWITCHYARD_ALLOW_HTTP_TARGETS and
SWITCHYARD_ALLOW_PRIVATE_TARGETS in this environment allow); no server is called.

Exit status: 0 whenever the request is explained, forwarded or not (a host without a
domain, a refused path or no matching rule is an answer, not a failure: read "answer:",
or "outcome" and "status" with -o json); the usual codes when the call itself fails
(4: the host belongs to a project outside the token's scope).`;

/**
 * `--file`: the request explained against config files as an apply to an empty store
 * would make them, with the target policy of this environment (as `validate` checks it).
 */
async function explainFiles(
  io: CliIo,
  paths: readonly string[],
  request: ExplainRequest,
): Promise<ExplainResponse> {
  const targetPolicy = targetPolicyOf(io.env);
  const config = await loadChecked(io, paths, targetPolicy);
  try {
    return explainSnapshot(documentSnapshot(config.document), request, targetPolicy);
  } catch (error) {
    if (error instanceof ConnectError) throw new CliError(error.rawMessage, ExitCode.usage);
    throw error;
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `switchyard explain`: which domain, alias, rule and policy a request gets, and why. */
export function explainCommand(program: Command, io: CliIo): void {
  program
    .command("explain")
    .description(
      "which domain, alias, rule and policy a request gets, the rules passed over and why, the upstream URL",
    )
    .requiredOption("--host <host>", "the request's Host (any case, optional :port)")
    .requiredOption(
      "--path <path>",
      'the request-target as sent, with any ?query ("/api/users?x=1")',
    )
    .option("--method <method>", "the request method (default GET)", parseMethod)
    .option(
      "--header <name=value...>",
      "a request header, repeatable: decides what is forwarded",
      collect,
    )
    .option(
      "-f, --file <path...>",
      "explain against config files (as apply would make them), offline, instead of the server",
    )
    .addHelpText("after", help)
    .action(
      async (
        flags: { host: string; path: string; method?: string; header?: string[]; file?: string[] },
        cmd,
      ) => {
        const headers = (flags.header ?? []).map((h) => parseHeaderAssignment("--header", h));
        const ctx = contextOf(io, cmd);
        const request = {
          host: flags.host,
          path: flags.path,
          method: flags.method ?? "GET",
          headers,
        };
        const res = flags.file
          ? await explainFiles(io, flags.file, create(ExplainRequestSchema, request))
          : await ctx.client.config.explain(request);
        ctx.emit(ExplainResponseSchema, res, () => renderExplanation(res));
      },
    );
}

const REASONS: Record<PassOverReason, string> = {
  [PassOverReason.UNSPECIFIED]: "",
  [PassOverReason.DISABLED]: "disabled",
  [PassOverReason.INVALID_PATTERN]: "invalid pattern",
  [PassOverReason.NO_MATCH]: "no match",
  [PassOverReason.SHADOWED]: "shadowed",
  [PassOverReason.REPLACED]: "replaced by alias",
};

const passedOverColumns: Column<PassedOverRule>[] = [
  { header: "order", value: (p) => (p.rule?.order === undefined ? "" : String(p.rule.order)) },
  { header: "rule", value: (p) => p.rule?.id ?? "" },
  { header: "path", value: (p) => p.rule?.pathPattern ?? "", maxWidth: 40 },
  { header: "set", value: (p) => (p.ruleSet === "alias" ? "alias" : "defaults") },
  { header: "reason", value: (p) => REASONS[p.reason] ?? "" },
  { header: "why", value: (p) => p.detail, maxWidth: 80 },
];

/** The explanation for people: the answer first, then the scope, the rules passed over, the policy. */
export function renderExplanation(res: ExplainResponse): string {
  const query = res.query === "" ? "" : `?${res.query}`;
  const answer =
    res.outcome === ExplainOutcome.FORWARD
      ? `forward to ${res.upstreamUrl}`
      : `${res.status} ${res.problemType.slice(res.problemType.lastIndexOf("/") + 1)}: ${res.detail}`;
  const rule = res.rule;
  const lines: (readonly [string, string])[] = [
    ["request", `${res.method} ${res.host} ${res.path}${query}`],
    ["revision", String(res.revision)],
    ["answer", answer],
  ];
  if (res.domain !== undefined) {
    lines.push(["domain", res.domain.host]);
    lines.push(["project", `${res.project?.name ?? ""} (${res.domain.projectId})`]);
    lines.push([
      "alias",
      res.alias === undefined ? "(none)" : `${res.alias.name} (${res.alias.id})`,
    ]);
    lines.push([
      "rule sets",
      res.ruleSets.map((s) => (s === "alias" ? "alias rules" : "project defaults")).join(", then "),
    ]);
  }
  if (rule !== undefined) {
    const order = rule.order === undefined ? "" : `order ${rule.order}, `;
    lines.push(["rule", `${rule.id} (${order}${rule.pathPattern} → ${rule.targetUrl})`]);
  }
  if (res.upstreamUrl !== "") lines.push(["upstream url", res.upstreamUrl]);
  let out = formatDetails(lines);
  if (res.passedOver.length > 0) {
    out += `\nPassed over:\n${formatTable(passedOverColumns, res.passedOver)}`;
  } else if (res.domain !== undefined) {
    out += "\nPassed over: none\n";
  }
  const p = res.policy;
  if (p !== undefined) {
    const claims = p.requireClaims.map((c) => `${c.name}=${c.values.join(",")}`).join(" ");
    const limit =
      p.rateLimit === undefined
        ? "none on the rule or project (the workers' fleet default applies, if set)"
        : `${formatRateLimit(p.rateLimit)} (${p.rateLimitSource})`;
    out += `\nPolicy:\n${formatDetails([
      ["auth", p.authMode === AuthMode.UNSPECIFIED ? "require" : formatAuth(p.authMode)],
      ["auth cookie", p.authCookieName],
      ["required claims", claims],
      ["rate limit", limit],
      ["methods", p.allowedMethods.join(", ") || "*"],
      ["strip prefix", `${formatBool(p.stripPrefix)} (upstream path: ${p.pathMode})`],
      ["preserve host", formatBool(p.preserveHost)],
      ["timeout ms", String(p.timeoutMs)],
      ["websocket", formatBool(p.websocket)],
      ["egress proxy", p.egressProxyUrl || "(the workers' HTTP(S)_PROXY, if set)"],
      [
        "add headers",
        p.addHeaders.map((h) => `${h.name}=${h.value}${h.secret ? " (secret)" : ""}`).join(", "),
      ],
      ["strip headers", p.stripHeaders.join(", ")],
      ["allowed headers", p.allowedHeaders.join(", ")],
      ["forwarded", p.forwardedHeaders.map((h) => `${h.name}: ${h.value}`).join("; ")],
      ["dropped", p.droppedHeaders.join(", ")],
    ])}`;
  }
  return out;
}

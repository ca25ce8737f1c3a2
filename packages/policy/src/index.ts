/**
 * @switchyard/policy: the pure request and validation semantics of Switchyard
 * (DESIGN.md §4), shared by the control plane and the worker. No I/O.
 */

export { type Credential, readCredential } from "./auth/bearer-credential.js";
export { readCookie, removeCookie, withoutCookie } from "./auth/cookie-header.js";
export {
  compileRequiredClaims,
  type RequiredClaims,
  unmetClaim,
} from "./auth/required-claims.js";
export { BEARER_CHALLENGE, invalidTokenChallenge } from "./auth/www-authenticate.js";
export {
  type ForwardedFor,
  NO_TRUSTED_PROXIES,
  parseTrustProxy,
  resolveForwardedFor,
  type TrustProxy,
  TrustProxyError,
} from "./headers/forwarded-for.js";
export {
  type HeaderRuleConfig,
  type HeaderToAdd,
  headerConfigViolations,
} from "./headers/header-config.js";
export {
  CREDENTIAL_HEADERS,
  HOP_BY_HOP_HEADERS,
  IDENTITY_HEADER_PREFIX,
  isHeaderName,
  isHeaderValue,
  neverForwardedReason,
  SAFE_REQUEST_HEADERS,
  WORKER_SET_REQUEST_HEADERS,
} from "./headers/header-names.js";
export { checkHostAuthority, MAX_AUTHORITY_HOST_LENGTH } from "./headers/host-authority.js";
export { rawHeaderValue } from "./headers/raw-header-value.js";
export {
  buildRequestHeaders,
  compileRequestHeaderPolicy,
  type RequestContext,
  type RequestHeaderPolicy,
  type UpstreamRequestHeaders,
  WEBSOCKET_REQUEST_HEADERS,
} from "./headers/request-header-policy.js";
export {
  compileResponseHeaderPolicy,
  filterResponseHeaderObject,
  filterResponseHeaders,
  type ResponseHeaderPolicy,
} from "./headers/response-header-policy.js";
export { matchPathPattern, type PatternMatch } from "./path/match-pattern.js";
export {
  type NormalisePathResult,
  normalisePath,
  type PathSemicolons,
} from "./path/normalise-path.js";
export {
  MAX_PATTERN_LENGTH,
  type ParsePatternResult,
  type PathPattern,
  type PatternSegment,
  parsePathPattern,
} from "./path/path-pattern.js";
export {
  buildUpstreamPath,
  type CompiledTarget,
  type CompileTargetResult,
  compileTarget,
  type UpstreamPathMode,
} from "./path/upstream-url.js";
export { type ProblemDetails, problemBody } from "./problems/problem-body.js";
export {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  PROBLEMS,
  type ProblemCode,
  problemStatus,
  problemType,
} from "./problems/problem-codes.js";
export { upstreamProblemCode } from "./problems/upstream-error.js";
export {
  compileFleetRateLimit,
  compileRateLimit,
  compileRateLimits,
  type EffectiveRateLimit,
  type FleetRateLimit,
  type RateLimitKeyKind,
  type RateLimitSource,
  resolveRateLimit,
} from "./rate-limit/effective-rate-limit.js";
export {
  EMPTY_RATE_LIMIT_ALLOW_LIST,
  parseRateLimitAllowList,
  type RateLimitAllowList,
} from "./rate-limit/rate-limit-allow-list.js";
export {
  formatRateLimitField,
  formatRateLimitPolicy,
  retryAfterSeconds,
} from "./rate-limit/rate-limit-fields.js";
export { clientAddressKey, DEFAULT_IPV6_PREFIX } from "./rate-limit/rate-limit-key.js";
export { parseRateLimitSpec, type RateLimitSpec } from "./rate-limit/rate-limit-spec.js";
export {
  type AddedHeaderValue,
  compileServingRule,
  DEFAULT_TIMEOUT_MS,
  type RuleAuth,
  RuleUnavailableError,
  type ServingRule,
  servingTimeoutMs,
} from "./rule/serving-rule.js";
export {
  type AllowList,
  EMPTY_ALLOW_LIST,
  parseAllowList,
} from "./ssrf/allow-list.js";
export { isLocalhostName, METADATA_HOST_NAMES } from "./ssrf/blocked-names.js";
export {
  type AddressVerdict,
  checkAddress,
  checkHost,
  checkTarget,
  HTTP_TARGETS_NOT_ALLOWED,
  type TargetVerdict,
} from "./ssrf/check-target.js";
export { type Cidr, CidrTable, parseCidr } from "./ssrf/cidr.js";
export { classifyAddress, findBlockedRange } from "./ssrf/classify-address.js";
export {
  formatIpAddress,
  type IpAddress,
  type Ipv4Address,
  type Ipv6Address,
  parseIpLiteral,
} from "./ssrf/ip-address.js";
export type {
  AddressClassification,
  BlockedRange,
  EmbeddingForm,
} from "./ssrf/special-ranges.js";
export {
  DEFAULT_TARGET_POLICY,
  parseTargetPolicy,
  type TargetPolicy,
  type TargetPolicyInput,
} from "./ssrf/target-policy.js";
export { TargetPolicyError, type TargetPolicySetting } from "./ssrf/target-policy-error.js";
export {
  authPolicyViolations,
  MAX_AUTH_NAME_LENGTH,
  MAX_CLAIM_VALUE_LENGTH,
  MAX_CLAIM_VALUES,
  MAX_REQUIRED_CLAIMS,
} from "./validate/auth-policy.js";
export { checkDomainHost, validateDomain } from "./validate/domain.js";
export { checkEgressProxyUrl } from "./validate/egress-proxy.js";
export { headerListViolations } from "./validate/header-lists.js";
export { checkHeaderName, checkMethodName } from "./validate/header-name.js";
export {
  checkHostName,
  type HostNameOptions,
  MAX_HOST_NAME_LENGTH,
  MAX_LABEL_LENGTH,
  normaliseHost,
} from "./validate/host-name.js";
export {
  MAX_DESCRIPTION_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  MAX_LIST_LENGTH,
  MAX_TIMEOUT_MS,
  MAX_TOKEN_LENGTH,
  MAX_TOKEN_NAME_LENGTH,
  MAX_URL_LENGTH,
  MAX_WINDOW_MS,
  MIN_TIMEOUT_MS,
  MIN_WINDOW_MS,
} from "./validate/limits.js";
export { normaliseRateLimit, normaliseRule, withRuleDefaults } from "./validate/normalise-rule.js";
export { validateAlias, validateProject } from "./validate/project.js";
export { validateRateLimit } from "./validate/rate-limit.js";
export { checkResourceName, MAX_NAME_LENGTH } from "./validate/resource-name.js";
export { type ValidationContext, validateRule } from "./validate/rule.js";
export { checkDescription, checkText, type TextOptions } from "./validate/text.js";
export { validateTokenInput } from "./validate/token.js";
export {
  assertValid,
  formatViolations,
  ValidationError,
  type Violation,
} from "./validate/violation.js";

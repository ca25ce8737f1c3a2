import { create } from "@bufbuild/protobuf";
import { type RateLimit, RateLimitKey, RateLimitSchema } from "@switchyard/api";
import { formatDuration } from "../format.js";
import { CheckField, SelectField, TextField } from "./Field.js";

/** A rate limit as a form holds it: numbers as typed, so a bad one reaches the API's checks. */
export interface RateLimitValues {
  enabled: boolean;
  limit: string;
  windowMs: string;
  key: RateLimitKey;
  headerName: string;
  skipSuccessful: boolean;
  skipFailed: boolean;
}

/** The form's values for `rateLimit` (unset: off, 100 requests a minute per client address). */
export function rateLimitValues(rateLimit: RateLimit | undefined): RateLimitValues {
  return {
    enabled: rateLimit !== undefined,
    limit: String(rateLimit?.limit ?? 100),
    windowMs: String(rateLimit?.windowMs ?? 60_000),
    key: rateLimit?.key ?? RateLimitKey.IP,
    headerName: rateLimit?.headerName ?? "",
    skipSuccessful: rateLimit?.skipSuccessful ?? false,
    skipFailed: rateLimit?.skipFailed ?? false,
  };
}

/** The message for the form's values; undefined when the limit is off. */
export function toRateLimit(values: RateLimitValues): RateLimit | undefined {
  if (!values.enabled) return undefined;
  return create(RateLimitSchema, {
    limit: toInt(values.limit),
    windowMs: toInt(values.windowMs),
    key: values.key,
    headerName: values.headerName,
    skipSuccessful: values.skipSuccessful,
    skipFailed: values.skipFailed,
  });
}

/** An int32 from what was typed; 0 for anything else, which the API refuses by name. */
function toInt(text: string): number {
  const n = Number(text.trim());
  return Number.isInteger(n) && Math.abs(n) <= 2 ** 31 - 1 ? n : 0;
}

/**
 * `100 requests per 1.0 min per client address`, with the responses not counted
 * (`; not counting failed responses`) when any; "none" when unset.
 */
export function describeRateLimit(rateLimit: RateLimit | undefined): string {
  if (rateLimit === undefined) return "none";
  const key =
    rateLimit.key === RateLimitKey.HEADER
      ? `header ${rateLimit.headerName}`
      : rateLimit.key === RateLimitKey.SUBJECT
        ? "subject"
        : "client address";
  const skips = [rateLimit.skipSuccessful && "successful", rateLimit.skipFailed && "failed"];
  const skipped = skips.filter(Boolean).join(" and ");
  const counted = skipped ? `; not counting ${skipped} responses` : "";
  return `${rateLimit.limit} requests per ${formatDuration(rateLimit.windowMs)} per ${key}${counted}`;
}

const KEYS: { value: RateLimitKey; label: string }[] = [
  { value: RateLimitKey.IP, label: "Client address" },
  { value: RateLimitKey.SUBJECT, label: "Verified subject" },
  { value: RateLimitKey.HEADER, label: "Request header" },
];

interface Props {
  /** Id prefix of the inputs. */
  id: string;
  values: RateLimitValues;
  onChange: (values: RateLimitValues) => void;
  /** Errors keyed by the rate limit's own fields: `limit`, `window_ms`, `key`, `header_name`. */
  errors: Record<string, string | undefined>;
}

/** Inputs for a rate limit, with the API's errors beside each. */
export function RateLimitFields({ id, values, onChange, errors }: Props) {
  const set = (patch: Partial<RateLimitValues>) => onChange({ ...values, ...patch });
  return (
    <fieldset className="card">
      <legend>Rate limit</legend>
      <CheckField
        id={`${id}-enabled`}
        label="Limit requests"
        checked={values.enabled}
        onChange={(enabled) => set({ enabled })}
      />
      {values.enabled && (
        <>
          <div className="row">
            <TextField
              id={`${id}-limit`}
              label="Requests per window"
              type="number"
              value={values.limit}
              onChange={(limit) => set({ limit })}
              error={errors["limit"]}
            />
            <TextField
              id={`${id}-window`}
              label="Window (ms)"
              type="number"
              value={values.windowMs}
              onChange={(windowMs) => set({ windowMs })}
              error={errors["window_ms"]}
            />
            <SelectField
              id={`${id}-key`}
              label="Counted per"
              value={values.key}
              onChange={(key) => set({ key: Number(key) as RateLimitKey })}
              error={errors["key"]}
            >
              {KEYS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </SelectField>
          </div>
          {(values.key === RateLimitKey.HEADER || errors["header_name"]) && (
            <TextField
              id={`${id}-header`}
              label="Header name"
              value={values.headerName}
              onChange={(headerName) => set({ headerName })}
              error={errors["header_name"]}
            />
          )}
          <CheckField
            id={`${id}-skip-successful`}
            label="Do not count successful responses"
            checked={values.skipSuccessful}
            onChange={(skipSuccessful) => set({ skipSuccessful })}
          />{" "}
          <CheckField
            id={`${id}-skip-failed`}
            label="Do not count failed responses"
            checked={values.skipFailed}
            onChange={(skipFailed) => set({ skipFailed })}
          />
        </>
      )}
    </fieldset>
  );
}

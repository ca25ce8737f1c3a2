import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { ValidationError } from "@switchyard/policy";
import type { Logger } from "pino";

/**
 * SQLSTATEs of a string the database cannot store: 22021 (invalid byte sequence, U+0000 in
 * `text`) and 22P05 (untranslatable character, `\u0000` in `jsonb`). Request strings are
 * checked before they reach SQL; these are the last line of defence.
 */
const UNSTORABLE_STRING = new Set(["22021", "22P05"]);

/**
 * The error a caller sees: ConnectErrors pass through, validation errors
 * become InvalidArgument with every violation, a string the database refuses
 * to store becomes InvalidArgument with a generic message, and anything else
 * is logged and becomes a bare Internal, so no SQL or stack reaches the client.
 */
export function toConnectError(error: unknown, logger?: Pick<Logger, "error">): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof ValidationError) {
    return new ConnectError(error.message, Code.InvalidArgument);
  }
  if (UNSTORABLE_STRING.has(String((error as { code?: unknown } | null)?.code))) {
    return new ConnectError(
      "a request string holds a character the database cannot store (such as U+0000)",
      Code.InvalidArgument,
    );
  }
  logger?.error({ err: error }, "unexpected error in a handler");
  return new ConnectError("internal error", Code.Internal);
}

/** Wraps every method of a unary service implementation with `toConnectError`. */
export function withErrorMapping<S extends DescService>(
  impl: ServiceImpl<S>,
  logger?: Pick<Logger, "error">,
): ServiceImpl<S> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(impl)) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (method as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        throw toConnectError(error, logger);
      }
    };
  }
  return wrapped as ServiceImpl<S>;
}

/** InvalidArgument for a required request field left empty. */
export function requireField(field: string, value: string): string {
  if (value === "") throw new ConnectError(`${field}: required`, Code.InvalidArgument);
  return value;
}

import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { cutEchoes } from "./cut-echo.js";
import { decodeFailureKey } from "./decode-request.js";
import { findUnknownEnum } from "./unknown-enum.js";

/**
 * Checks every request message before its handler, the same way for every method:
 *
 * - a message that could not be decoded (see `decodeBeforeInterceptors`) is refused with
 *   the InvalidArgument set aside then;
 * - an enum value the schema does not define, at any depth, is refused with InvalidArgument
 *   naming the field (`rule.auth.mode: 99 is not a value of switchyard.v1.AuthMode`);
 * - an error from the handler keeps its code, and its message has every quoted echo of a
 *   request value cut (see `cutEchoes`), so a NotFound for a 1 MB id stays short.
 *
 * Install it after the logging and metrics interceptors, so what it refuses is logged and
 * counted, and before the handlers' own.
 */
export function createValidationInterceptor(): Interceptor {
  return (next) => async (request) => {
    try {
      const failure = request.contextValues.get(decodeFailureKey);
      if (failure !== undefined) throw failure;
      if (!request.stream) {
        const unknown = findUnknownEnum(request.method.input, request.message);
        if (unknown !== undefined) {
          throw new ConnectError(
            `${unknown.field}: ${unknown.value} is not a value of ${unknown.enumName}`,
            Code.InvalidArgument,
          );
        }
      }
      return await next(request);
    } catch (error) {
      throw shortened(error);
    }
  };
}

/** `error` with its message's echoes cut; the same error when there is nothing to cut. */
function shortened(error: unknown): unknown {
  if (!(error instanceof ConnectError)) return error;
  const message = cutEchoes(error.rawMessage);
  if (message === error.rawMessage) return error;
  const cut = new ConnectError(message, error.code, error.metadata, undefined, error.cause);
  cut.details.push(...error.details);
  return cut;
}

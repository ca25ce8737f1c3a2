import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * The header every console request carries. The control plane refuses a call authenticated
 * by the session cookie without it: a cross-site form or fetch cannot set it (CSRF defence).
 */
export const CONSOLE_HEADER = "X-Switchyard-Console";

/** Adds {@link CONSOLE_HEADER} to every call. */
export const consoleHeader: Interceptor = (next) => (request) => {
  request.header.set(CONSOLE_HEADER, "1");
  return next(request);
};

/** Calls `onUnauthenticated` when a call fails with Unauthenticated (session expired or revoked). */
function watchUnauthenticated(onUnauthenticated: () => void): Interceptor {
  return (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.Unauthenticated) onUnauthenticated();
      throw error;
    }
  };
}

/**
 * The Connect transport of the console: same origin as the page (the session cookie goes along
 * by itself), with the console header, and `onUnauthenticated` called on an expired session.
 */
export function createConsoleTransport(onUnauthenticated: () => void): Transport {
  return createConnectTransport({
    baseUrl: window.location.origin,
    interceptors: [consoleHeader, watchUnauthenticated(onUnauthenticated)],
  });
}

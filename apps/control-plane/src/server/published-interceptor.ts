import type { Interceptor } from "@connectrpc/connect";
import { readRevisionHeader } from "../services/revision-header.js";
import type { ConfigPublishing } from "./publish-config.js";

/** How long a write's response waits for its revision to be published. */
const PUBLISH_WAIT_MS = 2_000;

/**
 * Read-your-writes for operators: an RPC that committed a config write (its response carries
 * `switchyard-revision`) answers once that revision is published (for the in-memory bus of
 * `switchyard dev`: served by the worker), or after {@link PUBLISH_WAIT_MS} when publishing is
 * slow or failing; the write has succeeded either way.
 */
export function createPublishedInterceptor(publishing: ConfigPublishing): Interceptor {
  return (next) => async (request) => {
    const response = await next(request);
    const revision = readRevisionHeader(response.header);
    if (revision !== undefined) await publishing.whenPublished(revision, PUBLISH_WAIT_MS);
    return response;
  };
}

import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { Role, TokenSchema, type TokenService } from "@switchyard/api";
import { assertValid, validateTokenInput } from "@switchyard/policy";
import { principalOf, requireRole, requireUnscoped } from "../auth/authorize.js";
import type { Principal } from "../auth/principal.js";
import { generateTokenSecret, hashTokenSecret } from "../auth/token-secret.js";
import type { ServiceDeps } from "./deps.js";
import { requireField } from "./errors.js";
import { writeContext } from "./write-context.js";

/** Every TokenService method needs an unscoped ADMIN. */
function admin(context: HandlerContext): Principal {
  const principal = principalOf(context);
  requireRole(principal, [Role.ADMIN]);
  requireUnscoped(principal);
  return principal;
}

/** TokenService. The secret is returned by CreateToken only; the store keeps its hash. */
export function tokenService({ store }: ServiceDeps): ServiceImpl<typeof TokenService> {
  return {
    async createToken(req, context) {
      const principal = admin(context);
      const input = req.token ?? create(TokenSchema);
      assertValid(validateTokenInput(input));
      const secret = generateTokenSecret();
      const token = await store.tokens.create(
        writeContext(principal, context),
        input,
        hashTokenSecret(secret),
      );
      return { token, secret };
    },

    async getToken(req, context) {
      admin(context);
      return { token: await store.tokens.get(requireField("id", req.id)) };
    },

    async listTokens(req, context) {
      admin(context);
      const page = await store.tokens.list({ pageSize: req.pageSize, pageToken: req.pageToken });
      return { tokens: page.items, nextPageToken: page.nextPageToken };
    },

    async deleteToken(req, context) {
      const principal = admin(context);
      await store.tokens.delete(writeContext(principal, context), requireField("id", req.id));
      return {};
    },
  };
}

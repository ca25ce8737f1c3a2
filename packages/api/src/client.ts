import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { AuditService } from "./gen/switchyard/v1/audit_pb.js";
import { ConfigService } from "./gen/switchyard/v1/config_pb.js";
import { ConfigDocumentService } from "./gen/switchyard/v1/document_pb.js";
import { ProjectService } from "./gen/switchyard/v1/project_pb.js";
import { RuleService } from "./gen/switchyard/v1/rule_pb.js";
import { TokenService } from "./gen/switchyard/v1/token_pb.js";

/** One typed client per Switchyard service, sharing a transport. */
export interface SwitchyardClient {
  projects: Client<typeof ProjectService>;
  rules: Client<typeof RuleService>;
  tokens: Client<typeof TokenService>;
  audit: Client<typeof AuditService>;
  config: Client<typeof ConfigService>;
  documents: Client<typeof ConfigDocumentService>;
}

/**
 * Builds a client for every service over `transport` (from @connectrpc/connect-node
 * or @connectrpc/connect-web: Connect, gRPC or gRPC-Web). Authentication is the
 * transport's job: add an interceptor that sets `Authorization: Bearer <token>`.
 */
export function createSwitchyardClient(transport: Transport): SwitchyardClient {
  return {
    projects: createClient(ProjectService, transport),
    rules: createClient(RuleService, transport),
    tokens: createClient(TokenService, transport),
    audit: createClient(AuditService, transport),
    config: createClient(ConfigService, transport),
    documents: createClient(ConfigDocumentService, transport),
  };
}

/**
 * @switchyard/api: the Switchyard API as generated TypeScript (protoc-gen-es v2),
 * plus a helper that builds a typed client for every service from one transport.
 */

export { createSwitchyardClient, type SwitchyardClient } from "./client.js";
export * from "./gen/grpc/health/v1/health_pb.js";
export * as reflectionV1 from "./gen/grpc/reflection/v1/reflection_pb.js";
export * as reflectionV1alpha from "./gen/grpc/reflection/v1alpha/reflection_pb.js";
export * from "./gen/switchyard/v1/audit_pb.js";
export * from "./gen/switchyard/v1/config_pb.js";
export * from "./gen/switchyard/v1/document_pb.js";
export * from "./gen/switchyard/v1/project_pb.js";
export * from "./gen/switchyard/v1/rule_pb.js";
export * from "./gen/switchyard/v1/token_pb.js";
export { SECRET_MASK } from "./secret-mask.js";

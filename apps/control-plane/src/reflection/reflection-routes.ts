import { create } from "@bufbuild/protobuf";
import { Code, type ConnectRouter } from "@connectrpc/connect";
import { Health, reflectionV1, reflectionV1alpha } from "@switchyard/api";
import { ReflectionIndex } from "./reflection-index.js";

/** Both packages of the reflection service: grpcurl and older tools ask v1alpha first. */
export const REFLECTION_SERVICE_NAMES: readonly string[] = [
  reflectionV1.ServerReflection.typeName,
  reflectionV1alpha.ServerReflection.typeName,
];

/**
 * Services callable without a token: health checks, and reflection, whose answer is the
 * API's schema (no data). buf curl sends its `-H` headers only with the call itself, not with
 * the reflection requests before it (unless `--reflect-header`), so a reflection that wanted
 * a token would make `buf curl -H "Authorization: …"` fail.
 */
export const PUBLIC_SERVICE_NAMES: readonly string[] = [
  Health.typeName,
  ...REFLECTION_SERVICE_NAMES,
];

type Request = reflectionV1.ServerReflectionRequest | reflectionV1alpha.ServerReflectionRequest;
/** The `message_response` of an answer, the same in both packages. */
type ResponseBody =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | {
      case: "allExtensionNumbersResponse";
      value: { baseTypeName: string; extensionNumber: number[] };
    }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/**
 * gRPC server reflection (https://github.com/grpc/grpc/blob/master/doc/server-reflection.md),
 * `grpc.reflection.v1` and `v1alpha`, for every service registered on the router: register it
 * last. The index is built on the first request, from the router's handlers, so it lists what
 * is served and nothing else.
 */
export function reflectionRoutes(): (router: ConnectRouter) => void {
  return (router) => {
    let index: ReflectionIndex | undefined;
    const indexOf = () => {
      index ??= new ReflectionIndex(router.handlers.map((h) => h.service));
      return index;
    };
    router.service(reflectionV1.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const request of requests) {
          yield create(reflectionV1.ServerReflectionResponseSchema, {
            validHost: request.host,
            originalRequest: request,
            messageResponse: answer(indexOf(), request),
          });
        }
      },
    });
    router.service(reflectionV1alpha.ServerReflection, {
      async *serverReflectionInfo(requests) {
        for await (const request of requests) {
          yield create(reflectionV1alpha.ServerReflectionResponseSchema, {
            validHost: request.host,
            originalRequest: request,
            messageResponse: answer(indexOf(), request),
          });
        }
      },
    });
  };
}

/** The answer to one request; a lookup that finds nothing is NOT_FOUND, as in grpc-go. */
export function answer(index: ReflectionIndex, request: Request): ResponseBody {
  const files = (file: ReturnType<ReflectionIndex["fileByName"]>, what: string): ResponseBody =>
    file === undefined
      ? error(Code.NotFound, `${what} not found`)
      : {
          case: "fileDescriptorResponse",
          value: { fileDescriptorProto: index.descriptorSet(file) },
        };
  const asked = request.messageRequest;
  switch (asked.case) {
    case "listServices":
      return {
        case: "listServicesResponse",
        value: { service: index.serviceNames.map((name) => ({ name })) },
      };
    case "fileByFilename":
      return files(index.fileByName(asked.value), `file ${asked.value}`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(asked.value), `symbol ${asked.value}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = asked.value;
      const file = index.fileContainingExtension(containingType, extensionNumber);
      return files(file, `extension ${extensionNumber} of ${containingType}`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbers(asked.value);
      if (numbers === undefined) return error(Code.NotFound, `type ${asked.value} not found`);
      return {
        case: "allExtensionNumbersResponse",
        value: { baseTypeName: asked.value, extensionNumber: numbers },
      };
    }
    default:
      return error(Code.InvalidArgument, "message_request: none of its fields is set");
  }
}

function error(code: Code, errorMessage: string): ResponseBody {
  return { case: "errorResponse", value: { errorCode: code, errorMessage } };
}

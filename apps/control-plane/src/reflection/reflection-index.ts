import type { DescFile, DescMessage, DescService } from "@bufbuild/protobuf";
import { toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

/**
 * What gRPC server reflection answers from: the files that declare the served services and
 * every file they import, built from the descriptors the generated code embeds (so it is the
 * schema the server runs, never a copy that can go stale), with each file serialized once.
 */
export class ReflectionIndex {
  /** Fully-qualified names of the services, in the order given, each once. */
  readonly serviceNames: readonly string[];
  readonly #files = new Map<string, DescFile>();
  readonly #bySymbol = new Map<string, DescFile>();
  /** `extendee#number` → the file declaring that extension. */
  readonly #extensions = new Map<string, DescFile>();
  readonly #bytes = new Map<DescFile, Uint8Array>();

  constructor(services: readonly DescService[]) {
    this.serviceNames = [...new Set(services.map((s) => s.typeName))];
    for (const service of services) this.#add(service.file);
  }

  /** The file at `path` (e.g. `switchyard/v1/project.proto`). */
  fileByName(path: string): DescFile | undefined {
    return this.#files.get(path);
  }

  /**
   * The file declaring `symbol`: a service, a method (`pkg.Service.Method`), a message, a
   * nested message, an enum or an extension, by its fully-qualified name.
   */
  fileContainingSymbol(symbol: string): DescFile | undefined {
    return this.#bySymbol.get(symbol.startsWith(".") ? symbol.slice(1) : symbol);
  }

  /** The file declaring extension `number` of message `typeName`. */
  fileContainingExtension(typeName: string, number: number): DescFile | undefined {
    return this.#extensions.get(`${typeName}#${number}`);
  }

  /** The extension numbers of message `typeName`; undefined for an unknown message. */
  extensionNumbers(typeName: string): number[] | undefined {
    const file = this.#bySymbol.get(typeName);
    if (file === undefined) return undefined;
    const numbers: number[] = [];
    for (const [key] of this.#extensions) {
      const [base, number] = key.split("#");
      if (base === typeName) numbers.push(Number(number));
    }
    return numbers;
  }

  /**
   * `file` and every file it imports, transitively, each a serialized FileDescriptorProto:
   * what a client needs to build the file without asking again (the protocol allows
   * sending fewer; buf curl and grpcurl both accept the whole set).
   */
  descriptorSet(file: DescFile): Uint8Array[] {
    const seen = new Set<DescFile>();
    const out: Uint8Array[] = [];
    const visit = (f: DescFile) => {
      if (seen.has(f)) return;
      seen.add(f);
      out.push(this.#serialized(f));
      for (const dependency of f.dependencies) visit(dependency);
    };
    visit(file);
    return out;
  }

  #serialized(file: DescFile): Uint8Array {
    let bytes = this.#bytes.get(file);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      this.#bytes.set(file, bytes);
    }
    return bytes;
  }

  #add(file: DescFile): void {
    const path = file.proto.name;
    if (this.#files.has(path)) return;
    this.#files.set(path, file);
    for (const service of file.services) {
      this.#bySymbol.set(service.typeName, file);
      for (const method of service.methods) {
        this.#bySymbol.set(`${service.typeName}.${method.name}`, file);
      }
    }
    for (const e of file.enums) this.#bySymbol.set(e.typeName, file);
    for (const message of file.messages) this.#addMessage(file, message);
    for (const extension of file.extensions) this.#addExtension(file, extension);
    for (const dependency of file.dependencies) this.#add(dependency);
  }

  #addMessage(file: DescFile, message: DescMessage): void {
    this.#bySymbol.set(message.typeName, file);
    for (const nested of message.nestedMessages) this.#addMessage(file, nested);
    for (const e of message.nestedEnums) this.#bySymbol.set(e.typeName, file);
    for (const extension of message.nestedExtensions) this.#addExtension(file, extension);
  }

  #addExtension(
    file: DescFile,
    extension: { typeName: string; number: number; extendee: DescMessage },
  ): void {
    this.#bySymbol.set(extension.typeName, file);
    const key = `${extension.extendee.typeName}#${extension.number}`;
    this.#extensions.set(key, file);
  }
}

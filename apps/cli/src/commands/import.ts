import { readFile } from "node:fs/promises";
import { create } from "@bufbuild/protobuf";
import { DomainSpecSchema } from "@switchyard/api";
import { documentData, formatDocument } from "@switchyard/config-doc";
import { checkResourceName } from "@switchyard/policy";
import { type Command, Option } from "commander";
import { parse } from "yaml";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import { importBackstage } from "../import/backstage.js";
import { ImportError, type ImportResult } from "../import/import-result.js";
import { importKrakend } from "../import/krakend.js";
import { mergeAppConfigs } from "../import/merge-app-configs.js";
import type { CliIo } from "../io.js";
import { UsageError } from "../usage-error.js";

const importHelp = `
The apply document goes to standard output (YAML; JSON with -o json, which apply
reads too), one "warning:" line per option that
cannot be expressed to standard error. Review the warnings, then:
switchyard apply -f FILE (give the hosts the project serves with --domain, or add
them to the document).

Exit codes: 0 the document was printed (with or without warnings); 2 the input
cannot be read or its own system would refuse it (the message names the key);
${ExitCode.importIncomplete} with --strict, some options cannot be expressed (nothing is printed).`;

interface ImportFlags {
  /** The global --output: json prints the document as JSON, anything else as YAML. */
  output?: string;
  project?: string;
  domain?: string[];
  strict?: boolean;
}

const domainOption = () =>
  new Option("--domain <host...>", "a host the project serves (repeatable); default none");

/**
 * `switchyard import backstage FILE…|krakend FILE`: another gateway's config as an apply
 * document on stdout, what it cannot express on stderr (see `importHelp`).
 */
export function importCommand(program: Command, io: CliIo): void {
  const group = program
    .command("import")
    .description(
      "turn a Backstage proxy section or KrakenD no-op endpoints into an apply document",
    );

  group
    .command("backstage")
    .description("the proxy section of a Backstage app-config.yaml")
    .argument(
      "<files...>",
      "Backstage app-config YAML files, merged as Backstage merges them (later files win)",
    )
    .option("--project <name>", "the project the rules go into", "backstage")
    .addOption(domainOption())
    .option("--mount-prefix <path>", "where the backend mounts the proxy plugin", "/api/proxy")
    .option(
      "--keep-switchyard-headers",
      "also forward what Switchyard forwards by default and Backstage did not (conditional and range requests, accept-encoding, tracing, X-Forwarded-*, Via)",
    )
    .option(
      "--strict",
      `exit ${ExitCode.importIncomplete} and print nothing when an option cannot be expressed`,
    )
    .addHelpText("after", importHelp)
    .action(
      async (
        files: string[],
        local: { mountPrefix: string; keepSwitchyardHeaders?: boolean },
        cmd: Command,
      ) => {
        const flags: ImportFlags & typeof local = cmd.optsWithGlobals();
        const configs: unknown[] = [];
        for (const file of files) configs.push(parseFile(file, await readInput(file), "YAML"));
        emit(io, files.join(", "), flags, () =>
          importBackstage(mergeAppConfigs(configs), {
            project: flags.project,
            mountPrefix: flags.mountPrefix,
            keepSwitchyardHeaders: flags.keepSwitchyardHeaders === true,
          }),
        );
      },
    );

  group
    .command("krakend")
    .description("the no-op (plain proxy) endpoints of a KrakenD krakend.json")
    .argument("<file>", "a KrakenD configuration (JSON)")
    .option("--project <name>", "the project the rules go into", "krakend")
    .addOption(domainOption())
    .option(
      "--strict",
      `exit ${ExitCode.importIncomplete} and print nothing when an option cannot be expressed`,
    )
    .addHelpText("after", importHelp)
    .action(async (file: string, _local: ImportFlags, cmd: Command) => {
      const flags: ImportFlags = cmd.optsWithGlobals();
      const config = parseFile(file, await readInput(file), "JSON");
      emit(io, file, flags, () => importKrakend(config, { project: flags.project }));
    });
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${file}: cannot read it (${code ?? (error as Error).message})`);
  }
}

/** The file's data; a syntax error is a usage error naming the file and, for YAML, the line. */
function parseFile(file: string, text: string, kind: "YAML" | "JSON"): unknown {
  try {
    return kind === "JSON" ? JSON.parse(text) : parse(text);
  } catch (error) {
    const message = (error as Error).message.split("\n")[0];
    throw new UsageError(`${file}: not valid ${kind}: ${message}`);
  }
}

function emit(io: CliIo, file: string, flags: ImportFlags, convert: () => ImportResult): void {
  const badName = checkResourceName(flags.project ?? "");
  if (badName !== undefined) throw new UsageError(`--project: ${badName}`);
  let result: ImportResult;
  try {
    result = convert();
  } catch (error) {
    if (error instanceof ImportError) {
      // A flag's problem names the flag; the input's, the file.
      throw new UsageError(
        error.message.startsWith("--") ? error.message : `${file}: ${error.message}`,
      );
    }
    throw error;
  }
  for (const project of result.document.projects) {
    project.domains = (flags.domain ?? []).map((host) => create(DomainSpecSchema, { host }));
  }
  for (const warning of result.warnings) io.err(`warning: ${warning}\n`);
  const count = result.warnings.length;
  if (count > 0 && flags.strict) {
    throw new CliError(
      `${count} option${count === 1 ? "" : "s"} of ${file} cannot be expressed (--strict): no document printed`,
      ExitCode.importIncomplete,
    );
  }
  io.out(
    flags.output === "json"
      ? `${JSON.stringify(documentData(result.document), null, 2)}\n`
      : formatDocument(result.document),
  );
  const rules = result.document.projects.reduce((n, p) => n + p.rules.length, 0);
  io.err(
    `imported ${rules} rule${rules === 1 ? "" : "s"} into project ${result.document.projects[0]?.name}` +
      `${count > 0 ? `; ${count} option${count === 1 ? "" : "s"} not expressed (warnings above)` : ""}\n`,
  );
}

import { Argument, type Command, type Help, type Option } from "commander";
import type { CliIo } from "../io.js";

/** The shells `switchyard completion` writes a script for. */
export const completionShells = ["bash", "zsh", "fish"] as const;
type Shell = (typeof completionShells)[number];

const completionHelp = `
Load it in the current shell, or install it for every new one:
  bash  source <(switchyard completion bash)
        switchyard completion bash > ~/.local/share/bash-completion/completions/switchyard
  zsh   source <(switchyard completion zsh)
  fish  switchyard completion fish > ~/.config/fish/completions/switchyard.fish
The script is made from the command tree of this switchyard, so it lists exactly
its commands and flags: write it again after an upgrade.`;

/** `switchyard completion bash|zsh|fish`: a completion script for the whole command tree. */
export function completionCommand(program: Command, io: CliIo): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "the shell").choices(completionShells))
    .addHelpText("after", completionHelp)
    .action((shell: Shell) => {
      const tree = commandTree(program);
      io.out(shell === "fish" ? fishScript(tree) : bashScript(tree, shell === "zsh"));
    });
}

/** One command of the tree, by its path of names under the program (`"rules create"`). */
interface Node {
  path: string;
  description: string;
  /** Subcommands, or the choices of a first argument that has them (`completion <shell>`). */
  words: { name: string; description: string }[];
  /** Flags of this command (not the program's). */
  options: Option[];
}

interface Tree {
  nodes: Node[];
  /** The program's own options, valid at every level. */
  globals: Option[];
}

/** Walks the commander tree, as `--help` shows it (hidden commands and options left out). */
export function commandTree(program: Command): Tree {
  const help: Help = program.createHelp();
  const nodes: Node[] = [];
  const visit = (command: Command, path: string) => {
    const subcommands = help.visibleCommands(command).filter((c) => c.name() !== "help");
    const words = subcommands.map((c) => ({ name: c.name(), description: c.description() }));
    const choices = command.registeredArguments[0]?.argChoices;
    if (words.length === 0 && choices !== undefined) {
      for (const choice of choices) words.push({ name: choice, description: "" });
    }
    const options = path === "" ? [] : help.visibleOptions(command);
    nodes.push({ path, description: command.description(), words, options });
    for (const sub of subcommands) visit(sub, path === "" ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, "");
  return { nodes, globals: help.visibleOptions(program) };
}

const flagsOf = (o: Option) => [o.short, o.long].filter((f): f is string => f !== undefined);
const takesValue = (o: Option) => o.required || o.optional;

/** A `case` of a shell function: one label per path, the words it prints. */
function bashCase(fn: string, entries: [string, string[]][]): string {
  const arms = entries
    .filter(([, words]) => words.length > 0)
    .map(([label, words]) => `    "${label}") echo "${[...new Set(words)].join(" ")}" ;;`);
  return `${fn}() {\n  case "$1" in\n${arms.join("\n")}\n  esac\n}\n`;
}

/**
 * The bash script (zsh loads the same through bashcompinit): data functions made from the
 * tree, and one completion function that walks the words typed so far to find the command
 * path, skipping the value of any flag that takes one.
 */
function bashScript(tree: Tree, zsh: boolean): string {
  const globalFlags = tree.globals.flatMap(flagsOf);
  const globalValued = tree.globals.filter(takesValue).flatMap(flagsOf);
  const choices: [string, string[]][] = [];
  for (const node of tree.nodes) {
    for (const o of [...tree.globals, ...node.options]) {
      if (o.argChoices === undefined) continue;
      for (const flag of flagsOf(o)) choices.push([`${node.path}|${flag}`, o.argChoices]);
    }
  }
  return [
    zsh
      ? "#compdef switchyard\n# zsh completion for switchyard: source <(switchyard completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n"
      : "# bash completion for switchyard: source <(switchyard completion bash)\n",
    bashCase(
      "_switchyard_words",
      tree.nodes.map((n) => [n.path, n.words.map((w) => w.name)]),
    ),
    bashCase(
      "_switchyard_flags",
      tree.nodes.map((n) => [n.path, [...n.options.flatMap(flagsOf), ...globalFlags]]),
    ),
    bashCase(
      "_switchyard_valued",
      tree.nodes.map((n) => [
        n.path,
        [...n.options.filter(takesValue).flatMap(flagsOf), ...globalValued],
      ]),
    ),
    bashCase("_switchyard_choices", choices),
    `_switchyard() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word skip="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ -n "$skip" ]]; then skip=""; continue; fi
    case "$word" in
      --*=*) continue ;;
      -*) [[ " $(_switchyard_valued "$path") " == *" $word "* ]] && skip=1; continue ;;
    esac
    [[ " $(_switchyard_words "$path") " == *" $word "* ]] && path="\${path:+$path }$word"
  done
  if [[ -n "$skip" ]]; then
    local values
    values="$(_switchyard_choices "$path|\${COMP_WORDS[COMP_CWORD - 1]}")"
    # A flag's value with no fixed choices: the shell's default (file names).
    [[ -n "$values" ]] && COMPREPLY=($(compgen -W "$values" -- "$cur"))
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_switchyard_flags "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_switchyard_words "$path")" -- "$cur"))
  fi
}
complete -o default -F _switchyard switchyard
`,
  ].join("\n");
}

/** A fish single-quoted string. */
const fishQuote = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** `complete` lines for `options`, under `condition` (none for the program's own). */
function fishOptions(options: Option[], condition: string | undefined): string[] {
  return options.map((o) => {
    const parts = ["complete -c switchyard"];
    if (condition !== undefined) parts.push(`-n ${fishQuote(condition)}`);
    if (o.short !== undefined) parts.push(`-s ${o.short.replace(/^-/, "")}`);
    if (o.long !== undefined) parts.push(`-l ${o.long.replace(/^--/, "")}`);
    if (o.argChoices !== undefined) parts.push(`-x -a ${fishQuote(o.argChoices.join(" "))}`);
    else if (takesValue(o)) parts.push("-r");
    parts.push(`-d ${fishQuote(o.description)}`);
    return parts.join(" ");
  });
}

/**
 * The fish script: a function that finds the command path in the words typed so far (as the
 * bash one does), and one `complete` line per subcommand and per flag, each under the path it
 * belongs to.
 */
function fishScript(tree: Tree): string {
  const valued = (node: Node) =>
    [...node.options, ...tree.globals].filter(takesValue).flatMap(flagsOf);
  const arms = (list: (node: Node) => string[]) =>
    tree.nodes
      .filter((n) => list(n).length > 0)
      .map((n) => `    case ${fishQuote(n.path)}\n      printf '%s\\n' ${list(n).join(" ")}`)
      .join("\n");
  const lines = [
    "# fish completion for switchyard: switchyard completion fish > ~/.config/fish/completions/switchyard.fish",
    "function __switchyard_words",
    "  switch $argv[1]",
    arms((n) => n.words.map((w) => w.name)),
    "  end",
    "end",
    "",
    "function __switchyard_valued",
    "  switch $argv[1]",
    arms(valued),
    "  end",
    "end",
    "",
    "function __switchyard_path",
    "  set -l words (commandline -opc)",
    "  set -l path ''",
    "  set -l skip 0",
    "  for word in $words[2..-1]",
    "    if test $skip = 1",
    "      set skip 0",
    "      continue",
    "    end",
    "    switch $word",
    "      case '--*=*'",
    "        continue",
    "      case '-*'",
    "        if contains -- $word (__switchyard_valued $path)",
    "          set skip 1",
    "        end",
    "        continue",
    "    end",
    "    if contains -- $word (__switchyard_words $path)",
    "      if test -z $path",
    "        set path $word",
    "      else",
    '        set path "$path $word"',
    "      end",
    "    end",
    "  end",
    "  echo $path",
    "end",
    "",
    "complete -c switchyard -f",
    ...fishOptions(tree.globals, undefined),
  ];
  for (const node of tree.nodes) {
    const at = `test (__switchyard_path) = ${fishQuote(node.path)}`;
    for (const word of node.words) {
      lines.push(
        `complete -c switchyard -n ${fishQuote(at)} -a ${fishQuote(word.name)} -d ${fishQuote(word.description)}`,
      );
    }
    lines.push(...fishOptions(node.options, at));
  }
  return `${lines.join("\n")}\n`;
}

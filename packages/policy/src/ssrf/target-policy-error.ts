/** The settings a `TargetPolicy` is read from (DESIGN.md §2). */
export type TargetPolicySetting =
  | "SWITCHYARD_ALLOW_PRIVATE_TARGETS"
  | "SWITCHYARD_ALLOW_HTTP_TARGETS";

/**
 * A target policy setting that cannot be read. The message starts with the setting's
 * name and quotes the bad entry, so a process can print it as its one line and exit.
 */
export class TargetPolicyError extends Error {
  readonly setting: TargetPolicySetting;
  /** The entry that is wrong, as the operator wrote it. */
  readonly entry: string;

  constructor(setting: TargetPolicySetting, entry: string, problem: string) {
    super(`${setting}: "${entry}" ${problem}`);
    this.name = "TargetPolicyError";
    this.setting = setting;
    this.entry = entry;
  }
}

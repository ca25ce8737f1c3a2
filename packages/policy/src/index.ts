import type { Rule } from "@switchyard/api";
export type Probe = Pick<Rule, "pathPattern">;
export const probe = (r: Probe): string => r.pathPattern;

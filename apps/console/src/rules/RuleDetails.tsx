import type { Rule } from "@switchyard/api";
import { describeRule } from "./rule-diff.js";

/** Every field of a rule, as a list of terms and values. */
export function RuleDetails({ rule }: { rule: Rule }) {
  return (
    <dl className="sy-rules-details">
      {describeRule(rule).map((field) => (
        <div key={field.label}>
          <dt>{field.label}</dt>
          <dd>{field.value}</dd>
        </div>
      ))}
    </dl>
  );
}

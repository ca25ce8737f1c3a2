import type { Rule } from "@switchyard/api";
import { ConflictNotice } from "../components/Conflict.js";
import { RuleDetails } from "./RuleDetails.js";
import { RULE_FIELDS } from "./rule-diff.js";

/** The server's version of a rule someone else changed (or deleted) while it was being edited. */
export type Conflict = { kind: "changed"; current: Rule } | { kind: "deleted" };

export interface RuleConflictProps {
  conflict: Conflict;
  /** The rule as it was when the edit started. */
  opened: Rule;
  /** The rule as the form would save it. */
  mine: Rule;
  onLoad: (current: Rule) => void;
  onRebase: (current: Rule) => void;
  onClose: () => void;
}

/** "Changed elsewhere" for a rule: the server's version beside the edit, and what to do next. */
export function RuleConflict({
  conflict,
  opened,
  mine,
  onLoad,
  onRebase,
  onClose,
}: RuleConflictProps) {
  if (conflict.kind === "deleted") {
    return (
      <ConflictNotice what="rule" current={undefined}>
        <button type="button" onClick={onClose}>
          Back to the list
        </button>
      </ConflictNotice>
    );
  }
  const { current } = conflict;
  return (
    <ConflictNotice
      what="rule"
      current={
        <>
          <ThreeWayTable opened={opened} current={current} mine={mine} />
          <details>
            <summary>The whole current version</summary>
            <RuleDetails rule={current} />
          </details>
        </>
      }
    >
      <div className="actions">
        <button type="button" onClick={() => onLoad(current)}>
          Discard my edits and load the current version
        </button>
        <button type="button" onClick={() => onRebase(current)}>
          Keep my edits on top of the current version
        </button>
      </div>
    </ConflictNotice>
  );
}

/** The fields changed elsewhere or in this edit: as opened, as now stored, as edited. */
function ThreeWayTable({ opened, current, mine }: { opened: Rule; current: Rule; mine: Rule }) {
  const rows = RULE_FIELDS.map((field) => ({
    ...field,
    opened: field.show(opened),
    current: field.show(current),
    mine: field.show(mine),
  })).filter((row) => row.opened !== row.current || row.opened !== row.mine);
  return (
    <table className="diff sy-rules-three-way">
      <caption>What changed, and where</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">When you opened it</th>
          <th scope="col">Current version</th>
          <th scope="col">Your edit</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.path} data-field={row.path}>
            <th scope="row">{row.label}</th>
            <td>{row.opened}</td>
            <td className={row.current !== row.opened ? "sy-rules-changed" : undefined}>
              {row.current}
            </td>
            <td className={row.mine !== row.opened ? "sy-rules-changed" : undefined}>{row.mine}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

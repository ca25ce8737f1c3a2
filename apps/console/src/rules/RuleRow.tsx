import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { Rule } from "@switchyard/api";
import type { CSSProperties, ReactNode } from "react";
import { RuleDetails } from "./RuleDetails.js";
import { AUTH_MODE_LABELS } from "./rule-diff.js";

/** What a row may do; absent for a viewer, who sees the rule only. */
export interface RowActions {
  /** Moves the rule one place up (-1) or down (+1) in the unsaved order. */
  onMove: (rule: Rule, delta: -1 | 1) => void;
  onToggle: (rule: Rule) => void;
  onEdit: (rule: Rule) => void;
  onDelete: (rule: Rule) => void;
  /** True while a save runs: controls are disabled. */
  busy: boolean;
  /** Enabled states being saved, by rule id: shown until the save ends either way. */
  saving: ReadonlyMap<string, boolean>;
}

interface RuleRowProps {
  rule: Rule;
  /** 0-based place in the order shown. */
  index: number;
  count: number;
  /** True when the rule's place differs from the saved order. */
  moved: boolean;
  actions?: RowActions;
}

/** A viewer's row: the rule without controls. */
export function RuleRow(props: RuleRowProps) {
  return <RowLayout {...props} />;
}

/** An editor's row: draggable by its handle, with move buttons for the keyboard. */
export function SortableRuleRow(props: RuleRowProps & { actions: RowActions }) {
  const { rule, actions } = props;
  const sortable = useSortable({ id: rule.id, disabled: actions.busy });
  const handle = (
    <button
      type="button"
      className="sy-rules-handle"
      ref={sortable.setActivatorNodeRef}
      {...sortable.attributes}
      {...sortable.listeners}
      aria-label={`Drag to reorder: ${rule.pathPattern}`}
      data-testid="drag-handle"
    >
      <span aria-hidden="true">⠿</span>
    </button>
  );
  return (
    <RowLayout
      {...props}
      handle={handle}
      nodeRef={sortable.setNodeRef}
      dragging={sortable.isDragging}
      style={{
        transform: CSS.Translate.toString(sortable.transform),
        transition: sortable.transition,
      }}
    />
  );
}

interface RowLayoutProps extends RuleRowProps {
  handle?: ReactNode;
  nodeRef?: (node: HTMLElement | null) => void;
  dragging?: boolean;
  style?: CSSProperties;
}

function RowLayout({ rule, index, count, moved, actions, ...layout }: RowLayoutProps) {
  const enabled = rule.enabled ?? true;
  const pattern = rule.pathPattern;
  const classes = [
    "sy-rules-row",
    moved && "sy-rules-moved",
    layout.dragging && "sy-rules-dragging",
  ];
  return (
    <li
      ref={layout.nodeRef}
      style={layout.style}
      className={classes.filter(Boolean).join(" ")}
      aria-label={pattern}
      data-testid="rule-row"
      data-rule-id={rule.id}
    >
      <div className="sy-rules-row-main">
        {layout.handle}
        <span className="sy-rules-position">{index + 1}.</span>
        <code className="sy-rules-pattern">{pattern}</code>
        <span className="sy-rules-arrow" aria-hidden="true">
          →
        </span>
        <span className="sy-rules-target">{rule.targetUrl}</span>
        {!enabled && <span className="sy-rules-badge">Disabled</span>}
        {moved && <span className="sy-rules-badge sy-rules-badge-moved">Moved, not saved</span>}
      </div>
      <p className="sy-rules-summary">
        {rule.allowedMethods.length > 0 ? rule.allowedMethods.join(", ") : "Every method"} ·{" "}
        {AUTH_MODE_LABELS[rule.auth?.mode ?? 0]}
        {rule.description && ` · ${rule.description}`}
      </p>
      {actions && (
        <RowControls rule={rule} index={index} count={count} enabled={enabled} actions={actions} />
      )}
      <details className="sy-rules-row-details">
        <summary>Details</summary>
        <RuleDetails rule={rule} />
      </details>
    </li>
  );
}

interface RowControlsProps {
  rule: Rule;
  index: number;
  count: number;
  enabled: boolean;
  actions: RowActions;
}

function RowControls({ rule, index, count, enabled, actions }: RowControlsProps) {
  const pattern = rule.pathPattern;
  return (
    <div className="sy-rules-row-controls">
      <label className="sy-rules-check">
        <input
          type="checkbox"
          checked={actions.saving.get(rule.id) ?? enabled}
          disabled={actions.busy}
          aria-label={`Enabled: ${pattern}`}
          data-testid="rule-enabled"
          onChange={() => actions.onToggle(rule)}
        />
        <span aria-hidden="true">Enabled</span>
      </label>
      <button
        type="button"
        disabled={actions.busy || index === 0}
        aria-label={`Move up: ${pattern}`}
        data-testid="move-up"
        onClick={() => actions.onMove(rule, -1)}
      >
        Move up
      </button>
      <button
        type="button"
        disabled={actions.busy || index === count - 1}
        aria-label={`Move down: ${pattern}`}
        data-testid="move-down"
        onClick={() => actions.onMove(rule, 1)}
      >
        Move down
      </button>
      <button
        type="button"
        disabled={actions.busy}
        aria-label={`Edit: ${pattern}`}
        data-testid="edit-rule"
        onClick={() => actions.onEdit(rule)}
      >
        Edit
      </button>
      <button
        type="button"
        className="danger"
        disabled={actions.busy}
        aria-label={`Delete: ${pattern}`}
        data-testid="delete-rule"
        onClick={() => actions.onDelete(rule)}
      >
        Delete
      </button>
    </div>
  );
}

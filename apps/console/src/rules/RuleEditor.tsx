import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Rule, RuleSchema } from "@switchyard/api";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { isConflict } from "../api/errors.js";
import { ChangesTable } from "../components/ChangesTable.js";
import { ConfirmDialog } from "../components/ConfirmDialog.js";
import type { FieldChange } from "../components/field-changes.js";
import { type FormErrors, formErrors, hasErrors, NO_ERRORS } from "./form-errors.js";
import { type Conflict, RuleConflict } from "./RuleConflict.js";
import { RuleForm } from "./RuleForm.js";
import { ruleChanges, withFieldsOf } from "./rule-diff.js";
import { draftFromRule, emptyDraft, type RuleDraft, ruleFromDraft } from "./rule-draft.js";
import { useRuleClient } from "./rules-api.js";

interface RuleEditorProps {
  projectId: string;
  /** "" for the project defaults. */
  aliasId: string;
  /** How the scope is shown, e.g. "project defaults" or "alias staging". */
  scopeName: string;
  /** The rule to edit as last listed; absent to create one. */
  rule?: Rule;
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
}

/**
 * Creates a rule, or edits one against the version it was opened with: the update carries
 * that version's etag and only the changed fields, several changes are confirmed field by
 * field first, and a version changed elsewhere is shown, never overwritten.
 */
export function RuleEditor(props: RuleEditorProps) {
  const { projectId, aliasId, rule } = props;
  const client = useRuleClient();
  const editing = rule !== undefined;
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [base, setBase] = useState<Rule>(() => rule ?? create(RuleSchema, { projectId, aliasId }));
  const [draft, setDraft] = useState<RuleDraft>(() => (rule ? draftFromRule(rule) : emptyDraft()));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [review, setReview] = useState<FieldChange[] | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState("");

  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  // After a refused save, take the user to the first field the API named.
  useEffect(() => {
    if (errors === NO_ERRORS) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const save = async (next: Rule, changes: readonly FieldChange[]) => {
    setSaving(true);
    setErrors(NO_ERRORS);
    try {
      const response = editing
        ? await client.updateRule({
            rule: next,
            updateMask: { paths: changes.map((change) => change.path) },
          })
        : await client.createRule({ rule: next });
      if (response.rule) props.onSaved(response.rule);
    } catch (error) {
      if (editing && isConflict(error)) setConflict(await readCurrent(base.id));
      else if (editing && ConnectError.from(error).code === Code.NotFound) {
        setConflict({ kind: "deleted" });
      } else setErrors(formErrors(error));
    } finally {
      setSaving(false);
      setReview(null);
    }
  };

  const readCurrent = async (id: string): Promise<Conflict> => {
    try {
      const response = await client.getRule({ id });
      return response.rule ? { kind: "changed", current: response.rule } : { kind: "deleted" };
    } catch {
      return { kind: "deleted" };
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setStatus("");
    const next = ruleFromDraft(draft, base);
    if (!editing) return void save(next, []);
    const changes = ruleChanges(base, next);
    if (changes.length === 0) return setStatus("Nothing changed.");
    // One field is its own preview; several are confirmed field by field first.
    if (changes.length === 1) return void save(next, changes);
    setReview(changes);
  };

  /** Starts over from the server's version, dropping what was typed. */
  const loadCurrent = (current: Rule) => {
    setBase(current);
    setDraft(draftFromRule(current));
    setConflict(null);
    setErrors(NO_ERRORS);
    setStatus("Loaded the current version.");
  };

  /**
   * Replays the fields this edit changed onto the server's version, keeping what was changed
   * elsewhere in the others; nothing is saved until Save, which previews against that version.
   */
  const rebase = (current: Rule) => {
    const mine = ruleFromDraft(draft, base);
    const paths = ruleChanges(base, mine).map((change) => change.path);
    setBase(current);
    setDraft(draftFromRule(withFieldsOf(current, mine, paths)));
    setConflict(null);
    setStatus("Your changes now apply to the current version. Save to keep them.");
  };

  const title = editing ? `Edit rule ${rule.pathPattern}` : `New rule in ${props.scopeName}`;
  return (
    <section className="sy-rules-editor" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} tabIndex={-1}>
        {title}
      </h2>
      {editing && <RuleFacts rule={base} />}
      {conflict && (
        <RuleConflict
          conflict={conflict}
          opened={base}
          mine={ruleFromDraft(draft, base)}
          onLoad={loadCurrent}
          onRebase={rebase}
          onClose={props.onCancel}
        />
      )}
      <form ref={formRef} onSubmit={submit} noValidate aria-labelledby={headingId}>
        {hasErrors(errors) && <ErrorSummary errors={errors} />}
        <RuleForm draft={draft} onChange={setDraft} errors={errors} />
        <p role="status" className="sy-rules-status">
          {status}
        </p>
        <div className="actions">
          <button type="submit" className="primary" disabled={saving || conflict !== null}>
            {editing ? "Save rule" : "Create rule"}
          </button>
          <button type="button" onClick={props.onCancel} disabled={saving}>
            Cancel
          </button>
        </div>
      </form>
      {review && (
        <ConfirmDialog
          title={`Save ${review.length} changes to ${rule?.pathPattern ?? "the rule"}?`}
          confirmLabel="Save changes"
          cancelLabel="Keep editing"
          busy={saving}
          onConfirm={() => void save(ruleFromDraft(draft, base), review)}
          onCancel={() => setReview(null)}
        >
          <ChangesTable caption="Changes to save" changes={review} />
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The fields the form does not edit: identity, place in the list, times. */
function RuleFacts({ rule }: { rule: Rule }) {
  const time = (t: Rule["updateTime"]) =>
    t ? new Date(Number(t.seconds) * 1000).toISOString() : "unknown";
  return (
    <dl className="facts">
      <dt>ID</dt>
      <dd>
        <code>{rule.id}</code>
      </dd>
      <dt>Order</dt>
      <dd>{rule.order ?? "last"} (change it by moving the rule in the list)</dd>
      <dt>Created</dt>
      <dd>{time(rule.createTime)}</dd>
      <dt>Updated</dt>
      <dd>{time(rule.updateTime)}</dd>
    </dl>
  );
}

/** Every error of a failed save, also shown at the fields they name. */
function ErrorSummary({ errors }: { errors: FormErrors }) {
  const lines = [
    ...errors.general,
    ...[...errors.fields].flatMap(([field, messages]) =>
      messages.map((m) => `${field.replace(/^rule\./, "")}: ${m}`),
    ),
  ];
  return (
    <div role="alert" className="form-errors">
      <p>The rule was not saved:</p>
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}

import { Code, ConnectError } from "@connectrpc/connect";
import type { Rule } from "@switchyard/api";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { isConflict } from "../api/errors.js";
import { ConfirmDialog } from "../components/ConfirmDialog.js";
import { ReorderPreview } from "./ReorderPreview.js";
import { RuleEditor } from "./RuleEditor.js";
import { RuleList } from "./RuleList.js";
import { moveId, type PendingOrder, sameIds, sameOrder } from "./rule-order.js";
import { listScopeRules, scopeRulesKey, useRuleClient, useScopeRules } from "./rules-api.js";

interface ScopeRulesProps {
  projectId: string;
  /** "" for the project defaults. */
  aliasId: string;
  /** How the scope is named in headings and messages, e.g. "Project defaults". */
  scopeName: string;
  canEdit: boolean;
  /** Told whether an order is arranged and not saved yet (the page holds the scope still). */
  onUnsavedOrder: (unsaved: boolean) => void;
}

/** A message above the list: the outcome of the last action. */
interface Notice {
  tone: "info" | "conflict" | "error";
  text: string;
}

type Editor = { mode: "create" } | { mode: "edit"; rule: Rule };

/** The message of anything a call threw. */
const messageOf = (error: unknown) => ConnectError.from(error).rawMessage;

/**
 * One scope's rules in match order. Editors arrange them by dragging or with the move
 * buttons, then save the whole order at once after a before/after preview; they toggle,
 * edit, create and delete rules, each write carrying the etag it was read with.
 */
export function ScopeRules(props: ScopeRulesProps) {
  const { projectId, aliasId, scopeName, canEdit, onUnsavedOrder } = props;
  const client = useRuleClient();
  const queryClient = useQueryClient();
  const query = useScopeRules(projectId, aliasId);
  const key = scopeRulesKey(projectId, aliasId);
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Where focus goes when what held it goes away (the editor closes, a deleted row).
  const [focusHeading, setFocusHeading] = useState(false);
  const [pending, setPending] = useState<PendingOrder | null>(null);
  const [reviewing, setReviewing] = useState(false);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const [editor, setEditor] = useState<Editor | null>(null);
  const [busy, setBusy] = useState(false);
  const [savingEnabled, setSavingEnabled] = useState<ReadonlyMap<string, boolean>>(new Map());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [announcement, setAnnouncement] = useState("");

  const rules = query.data ?? [];
  const serverIds = rules.map((rule) => rule.id);
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  // Rules added or removed elsewhere make an unsaved order meaningless.
  const pendingStale = pending !== null && !sameIds(pending.order, serverIds);
  const order = pending && !pendingStale ? pending.order : serverIds;
  const nameOf = (id: string) => byId.get(id)?.pathPattern ?? id;

  useEffect(() => {
    if (!pendingStale) return;
    setPending(null);
    setNotice({
      tone: "conflict",
      text: "Changed elsewhere: rules of this scope were added or removed, so your unsaved order was dropped. This is the current order.",
    });
  }, [pendingStale]);

  const unsaved = pending !== null && !pendingStale;
  useEffect(() => onUnsavedOrder(unsaved), [unsaved, onUnsavedOrder]);

  useEffect(() => {
    if (!focusHeading) return;
    headingRef.current?.focus();
    setFocusHeading(false);
  }, [focusHeading]);

  const move = (id: string, to: number) => {
    const from = order.indexOf(id);
    if (from < 0 || to < 0 || to >= order.length || from === to) return;
    const base = pending?.base ?? serverIds;
    const next = moveId(order, from, to);
    setPending(sameOrder(next, base) ? null : { base, order: next });
    setNotice(null);
    setAnnouncement(
      `Moved ${nameOf(id)} to position ${to + 1} of ${order.length}. The order is not saved yet.`,
    );
  };

  /** Saves `pending` unless the server order moved on since it was started. */
  const saveOrder = async (saving: PendingOrder) => {
    setBusy(true);
    try {
      // ReorderRules takes no etag, so compare the order the moves started from with the
      // server's now: an order changed elsewhere is shown, not overwritten.
      const current = await listScopeRules(client, projectId, aliasId);
      if (
        !sameOrder(
          current.map((rule) => rule.id),
          saving.base,
        )
      ) {
        queryClient.setQueryData(key, current);
        setPending(null);
        setNotice({
          tone: "conflict",
          text: "Changed elsewhere: the rules of this scope changed since you started moving them, so your order was not saved. This is the current order.",
        });
        return;
      }
      const response = await client.reorderRules({
        projectId,
        aliasId,
        ruleIds: [...saving.order],
      });
      queryClient.setQueryData(key, response.rules);
      setPending(null);
      setNotice({ tone: "info", text: "Order saved." });
    } catch (error) {
      setNotice({ tone: "error", text: `The order was not saved: ${messageOf(error)}` });
      await queryClient.invalidateQueries({ queryKey: key });
    } finally {
      setBusy(false);
      setReviewing(false);
    }
  };

  /** Shows a write refused for a stale etag (or a rule gone) and reloads the list. */
  const onWriteError = async (rule: Rule, what: string, error: unknown) => {
    const code = ConnectError.from(error).code;
    const text =
      isConflict(error) || code === Code.NotFound
        ? `Changed elsewhere: ${rule.pathPattern} was changed or deleted since the list was loaded, so it was not ${what}. The list now shows the current version.`
        : `${rule.pathPattern} was not ${what}: ${messageOf(error)}`;
    setNotice({ tone: isConflict(error) || code === Code.NotFound ? "conflict" : "error", text });
    await queryClient.invalidateQueries({ queryKey: key });
  };

  const replaceRule = (saved: Rule) =>
    queryClient.setQueryData<Rule[]>(key, (old) =>
      old?.map((rule) => (rule.id === saved.id ? saved : rule)),
    );

  const toggle = async (rule: Rule) => {
    const enabled = !(rule.enabled ?? true);
    const what = enabled ? "enabled" : "disabled";
    setBusy(true);
    setSavingEnabled(new Map([[rule.id, enabled]]));
    try {
      const response = await client.updateRule({
        rule: { id: rule.id, etag: rule.etag, enabled },
        updateMask: { paths: ["enabled"] },
      });
      if (response.rule) replaceRule(response.rule);
      setNotice({ tone: "info", text: `${rule.pathPattern} ${what}.` });
    } catch (error) {
      await onWriteError(rule, what, error);
    } finally {
      setBusy(false);
      setSavingEnabled(new Map());
    }
  };

  const remove = async (rule: Rule) => {
    setBusy(true);
    try {
      await client.deleteRule({ id: rule.id, etag: rule.etag });
      queryClient.setQueryData<Rule[]>(key, (old) => old?.filter((r) => r.id !== rule.id));
      setNotice({ tone: "info", text: `${rule.pathPattern} deleted.` });
      setFocusHeading(true);
    } catch (error) {
      await onWriteError(rule, "deleted", error);
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  if (editor) {
    return (
      <RuleEditor
        projectId={projectId}
        aliasId={aliasId}
        scopeName={scopeName}
        rule={editor.mode === "edit" ? editor.rule : undefined}
        onSaved={(saved) => {
          setEditor(null);
          setFocusHeading(true);
          setNotice({
            tone: "info",
            text: `${saved.pathPattern} ${editor.mode === "edit" ? "saved" : "created"}.`,
          });
          void queryClient.invalidateQueries({ queryKey: key });
        }}
        onCancel={() => {
          setEditor(null);
          setFocusHeading(true);
        }}
      />
    );
  }

  return (
    <section className="sy-rules-scope" aria-labelledby={headingId}>
      <div className="sy-rules-scope-head">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          {scopeName}
        </h2>
        {canEdit && (
          <button type="button" className="primary" onClick={() => setEditor({ mode: "create" })}>
            Add a rule
          </button>
        )}
      </div>
      {notice && (
        <p
          role={notice.tone === "info" ? "status" : "alert"}
          className={`sy-rules-notice sy-rules-${notice.tone}`}
        >
          {notice.text}
        </p>
      )}
      {query.isPending && <p>Loading rules…</p>}
      {query.isError && <p role="alert">Could not load the rules: {messageOf(query.error)}</p>}
      {query.isSuccess && rules.length === 0 && <p>No rules in this scope yet.</p>}
      {pending && !pendingStale && canEdit && (
        <div className="sy-rules-pending">
          <p>The order has changed and is not saved yet.</p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => setReviewing(true)}
          >
            Review and save order
          </button>
          <button type="button" disabled={busy} onClick={() => setPending(null)}>
            Discard order changes
          </button>
        </div>
      )}
      {rules.length > 0 && (
        <RuleList
          byId={byId}
          order={order}
          savedOrder={pending && !pendingStale ? pending.base : undefined}
          scopeName={scopeName}
          onMove={move}
          actions={
            canEdit
              ? {
                  busy,
                  saving: savingEnabled,
                  onToggle: (rule) => void toggle(rule),
                  onEdit: (rule) => setEditor({ mode: "edit", rule }),
                  onDelete: setDeleting,
                }
              : undefined
          }
        />
      )}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {reviewing && pending && (
        <ConfirmDialog
          title={`Save the new order of ${scopeName}?`}
          confirmLabel="Save order"
          cancelLabel="Keep arranging"
          busy={busy}
          onConfirm={() => void saveOrder(pending)}
          onCancel={() => setReviewing(false)}
        >
          <ReorderPreview pending={pending} nameOf={nameOf} />
        </ConfirmDialog>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete rule ${deleting.pathPattern}?`}
          confirmLabel="Delete rule"
          danger
          busy={busy}
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>
            Requests to <code>{deleting.pathPattern}</code> will no longer be forwarded to{" "}
            <code>{deleting.targetUrl}</code>. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

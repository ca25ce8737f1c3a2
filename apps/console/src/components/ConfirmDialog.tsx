import { type ReactNode, useEffect, useId, useRef } from "react";

interface ConfirmDialogProps {
  title: string;
  /** Name of the button that goes ahead, e.g. "Save order". */
  confirmLabel: string;
  /** Name of the button that backs out. Default "Cancel". */
  cancelLabel?: string;
  /** Styles the confirm button as destructive. Default false. */
  danger?: boolean;
  /** Disables both buttons while the confirmed action runs. Default false. */
  busy?: boolean;
  onConfirm: () => void;
  /** Called on the cancel button and on Escape. */
  onCancel: () => void;
  children: ReactNode;
}

/**
 * A modal confirmation on the native <dialog>: the browser traps focus inside it,
 * closes it on Escape and makes the rest of the page inert. Mount it to open it.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { title, confirmLabel, cancelLabel = "Cancel", danger = false, busy = false } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) props.onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div>{props.children}</div>
      <div className="actions">
        <button
          type="button"
          className={danger ? "danger" : "primary"}
          disabled={busy}
          onClick={props.onConfirm}
        >
          {confirmLabel}
        </button>
        <button type="button" disabled={busy} onClick={props.onCancel}>
          {cancelLabel}
        </button>
      </div>
    </dialog>
  );
}

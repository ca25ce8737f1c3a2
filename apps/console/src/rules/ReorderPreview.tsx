import { orderRows, type PendingOrder } from "./rule-order.js";

interface ReorderPreviewProps {
  pending: PendingOrder;
  /** A rule's path pattern from its id. */
  nameOf: (id: string) => string;
}

/** The scope's order before and after, position by position, moved places marked. */
export function ReorderPreview({ pending, nameOf }: ReorderPreviewProps) {
  const rows = orderRows(pending.base, pending.order, nameOf);
  const moved = rows.filter((row) => row.moved).length;
  return (
    <>
      <p>
        {moved} of {rows.length} positions change. The rules are saved in this order at once.
      </p>
      <table className="diff sy-rules-reorder" data-testid="reorder-preview">
        <caption>Order before and after</caption>
        <thead>
          <tr>
            <th scope="col">Position</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.position} className={row.moved ? "sy-rules-moved" : undefined}>
              <th scope="row">{row.position}</th>
              <td className="diff-before">
                <code>{row.before}</code>
              </td>
              <td className="diff-after">
                <code>{row.after}</code>
                {row.moved && <span className="sy-rules-badge sy-rules-badge-moved">changed</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

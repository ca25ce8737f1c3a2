import {
  type Announcements,
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  type UniqueIdentifier,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import {
  SortableContext,
  sortableKeyboardCoordinates,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import type { Rule } from "@switchyard/api";
import { useEffect, useRef, useState } from "react";
import { type RowActions, RuleRow, SortableRuleRow } from "./RuleRow.js";

interface RuleListProps {
  byId: ReadonlyMap<string, Rule>;
  /** Rule ids in the order shown. */
  order: readonly string[];
  /** The saved order while the shown one is not saved: rows out of place are marked. */
  savedOrder?: readonly string[];
  scopeName: string;
  /** Editor controls; absent for a viewer, whose list has no handles or buttons. */
  actions?: Omit<RowActions, "onMove">;
  /** Moves rule `id` to place `to` of the shown order. */
  onMove: (id: string, to: number) => void;
}

/** Which move button to focus again once a row has moved (it may have become disabled). */
interface MoveFocus {
  id: string;
  direction: -1 | 1;
}

/**
 * The rules of a scope as an ordered list. With actions, rows are sortable by dragging their
 * handle (pointer, or Space and the arrow keys with dnd-kit's keyboard sensor) and have
 * Move up / Move down buttons.
 */
export function RuleList({ byId, order, savedOrder, scopeName, actions, onMove }: RuleListProps) {
  const listRef = useRef<HTMLOListElement>(null);
  const [moveFocus, setMoveFocus] = useState<MoveFocus | null>(null);
  const sensors = useSensors(
    // A few pixels of travel before a drag starts, so a click on the handle stays a click.
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  // Keep focus on the moved row's button; at the top or bottom it is disabled, so use the other.
  useEffect(() => {
    if (!moveFocus) return;
    const row = listRef.current?.querySelector(`[data-rule-id="${CSS.escape(moveFocus.id)}"]`);
    const wanted = moveFocus.direction < 0 ? "move-up" : "move-down";
    const other = moveFocus.direction < 0 ? "move-down" : "move-up";
    const button =
      row?.querySelector<HTMLButtonElement>(`[data-testid="${wanted}"]:not(:disabled)`) ??
      row?.querySelector<HTMLButtonElement>(`[data-testid="${other}"]`);
    button?.focus();
    setMoveFocus(null);
  }, [moveFocus]);

  const rowActions: RowActions | undefined = actions && {
    ...actions,
    onMove: (rule, direction) => {
      onMove(rule.id, order.indexOf(rule.id) + direction);
      setMoveFocus({ id: rule.id, direction });
    },
  };
  const rows = order.flatMap((id, index) => {
    const rule = byId.get(id);
    if (!rule) return [];
    const props = {
      rule,
      index,
      count: order.length,
      moved: savedOrder?.[index] !== undefined && savedOrder[index] !== id,
    };
    return rowActions
      ? [<SortableRuleRow key={id} {...props} actions={rowActions} />]
      : [<RuleRow key={id} {...props} />];
  });
  const list = (
    <ol ref={listRef} className="sy-rules-list" aria-label={`Rules of ${scopeName}`}>
      {rows}
    </ol>
  );
  if (!rowActions) return list;

  const nameOf = (id: UniqueIdentifier) => byId.get(String(id))?.pathPattern ?? String(id);
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (over && active.id !== over.id) onMove(String(active.id), order.indexOf(String(over.id)));
  };
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{ announcements: dragAnnouncements(nameOf, order) }}
    >
      <SortableContext items={[...order]} strategy={verticalListSortingStrategy}>
        {list}
      </SortableContext>
    </DndContext>
  );
}

/** What a screen reader hears while a rule is dragged: rule patterns and positions, not ids. */
function dragAnnouncements(
  name: (id: UniqueIdentifier) => string,
  order: readonly string[],
): Announcements {
  const at = (id: UniqueIdentifier) =>
    `position ${order.indexOf(String(id)) + 1} of ${order.length}`;
  return {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}, ${at(active.id)}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${name(active.id)} is over ${at(over.id)}.`
        : `${name(active.id)} is no longer over the list.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `${name(active.id)} dropped at ${at(over.id)}. The order is not saved yet.`
        : `${name(active.id)} dropped where it was.`,
    onDragCancel: ({ active }) => `Moving ${name(active.id)} was cancelled.`,
  };
}

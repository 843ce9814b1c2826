import type { Event } from "./event.js";

/** Folds one event into an item's state (`undefined` before its first event). Keep it pure: it runs on every device. */
export type Reducer<S> = (state: S | undefined, event: Event) => S;

export type JsonObject = { [key: string]: unknown };

/**
 * The default reducer: each payload that is a JSON object is merged into the item's object member
 * by member, later events (in history order) winning; other payloads leave the state as it was.
 * Every item with an event has a state, `{}` at least.
 */
export const jsonMerge: Reducer<JsonObject> = (state, event) => {
  let patch: unknown;
  try {
    patch = JSON.parse(event.payload);
  } catch {
    return state ?? {};
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return state ?? {};
  return { ...state, ...(patch as JsonObject) };
};

/** Folds events (already in the order to apply) into per-item state, items in order of first appearance. */
export function fold<S>(events: readonly Event[], reducer: Reducer<S>): Map<string, S> {
  const items = new Map<string, S>();
  for (const e of events) items.set(e.itemUuid, reducer(items.get(e.itemUuid), e));
  return items;
}

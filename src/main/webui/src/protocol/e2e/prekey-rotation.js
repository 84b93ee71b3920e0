// When to make a new prekey and when to delete an old one's private half (docs/PROTOCOL.md, "Prekeys and
// rotation"; Java: crypto.PrekeyRotation, the same rule): a new prekey every 7 days; the one it replaces is
// retired then and deleted 14 days later; the newest (highest id among equal times) is current and never
// deleted; a clock that went back makes nothing due and deletes nothing.

const DAY = 24 * 60 * 60 * 1000;
export const ROTATE_AFTER = 7 * DAY;
export const KEEP_RETIRED = 14 * DAY;

const oldestFirst = (a, b) => a.createdMillis - b.createdMillis || a.id - b.id;

/** `held`: [{ id, createdMillis }]. Returns `{ newPrekeyDue, delete: [ids] }`. */
export function planRotation(held, now) {
  if (held.length === 0) {
    return { newPrekeyDue: true, delete: [] };
  }
  const ordered = [...held].sort(oldestFirst);
  const current = ordered[ordered.length - 1];
  const remove = [];
  for (let i = 0; i < ordered.length - 1; i++) {
    if (now - ordered[i + 1].createdMillis >= KEEP_RETIRED) {
      remove.push(ordered[i].id);
    }
  }
  return { newPrekeyDue: now - current.createdMillis >= ROTATE_AFTER, delete: remove };
}

/** The prekey senders should seal to: the newest. */
export function currentPrekey(held) {
  if (held.length === 0) {
    throw new RangeError('no prekey held');
  }
  return [...held].sort(oldestFirst)[held.length - 1];
}

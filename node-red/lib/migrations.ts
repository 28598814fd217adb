/**
 * Changes to saved pbxflow-connection nodes, each an explicit step: a flow saved by an earlier version is brought
 * to the current field names before anything reads it. Pure (the saved node is never modified); tested one by one.
 */

/** One change: since which version, what it does, and the change itself. */
export interface Migration {
  since: string;
  what: string;
  applies(def: Readonly<Record<string, unknown>>): boolean;
  apply(def: Record<string, unknown>): void;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

export const CONNECTION_MIGRATIONS: readonly Migration[] = [
  {
    since: '0.2',
    // Node-RED's editor drops a property named `users` (it is reserved), so the monitored users moved.
    what: '`users` (monitored users, reserved by the Node-RED editor) -> `monitoredUsers`',
    applies: (d) => !text(d.monitoredUsers) && typeof d.users === 'string' && text(d.users) !== '',
    apply: (d) => {
      d.monitoredUsers = d.users;
    },
  },
];

/** The saved node as the current version names its fields (a copy; `users` stays as saved, unread). */
export function migrateConnection<T extends object>(def: T): T {
  const out = { ...def } as Record<string, unknown>;
  for (const m of CONNECTION_MIGRATIONS) if (m.applies(out)) m.apply(out);
  return out as T;
}

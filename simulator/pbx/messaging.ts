/**
 * The virtual PBX's voice mailboxes and instant messages. A call sent to voicemail leaves a message in the
 * callee's mailbox; reading and deleting change the unread counter. Emits `change` with a `MessagingChange`
 * for the front-ends to render in their dialect.
 */
import { EventEmitter } from 'node:events';
import type { PbxChange } from './types';
import type { VirtualPbx } from './virtual-pbx';

export interface SimVoicemail {
  id: string;
  from: { number: string; name?: string; login?: string };
  duration: number;
  date: number;
  unread: boolean;
  highPriority: boolean;
}

export interface SimInstantMessage {
  from: string;
  to: string;
  message: string;
  date: number;
}

export interface SimImSession {
  ref: string;
  owner: string;
  participants: string[];
}

export type MessagingChange =
  | { kind: 'voicemail'; action: 'added' | 'updated' | 'deleted'; user: string; mailboxId: string; message: SimVoicemail; unread: number }
  | { kind: 'im'; user: string; ref: string; from: string; message: string };

export class SimMessaging extends EventEmitter {
  private readonly boxes = new Map<string, SimVoicemail[]>();
  private readonly im = new Map<string, SimImSession>();
  /** Every instant message sent, in order (tests read it). */
  readonly sentMessages: SimInstantMessage[] = [];
  private seq = 0;
  private readonly onChange = (c: PbxChange): void => this.observe(c);

  constructor(private readonly pbx: VirtualPbx) {
    super();
    pbx.on('change', this.onChange);
  }

  /** The user's single mailbox id, or undefined for users without a mailbox (administrators). */
  mailboxOf(user: string): string | undefined {
    const u = this.pbx.user(user);
    return u && !u.admin ? `mbx-${u.login}` : undefined;
  }

  list(user: string, newOnly = false): SimVoicemail[] {
    return (this.boxes.get(user) ?? []).filter((m) => !newOnly || m.unread).map((m) => ({ ...m }));
  }

  get(user: string, id: string): SimVoicemail | undefined {
    return this.boxes.get(user)?.find((m) => m.id === id);
  }

  deposit(user: string, from: SimVoicemail['from'], duration = 12, highPriority = false): SimVoicemail {
    // `+` in ids is legal in the spec and must be percent-encoded by clients: keep one to prove they do.
    const msg: SimVoicemail = { id: `vm+${++this.seq}`, from, duration, date: Date.now(), unread: true, highPriority };
    const box = this.boxes.get(user) ?? [];
    box.push(msg);
    this.boxes.set(user, box);
    this.changed('added', user, msg);
    return msg;
  }

  /** Marks read; true when it was unread. Unknown ids are no error (spec). */
  markRead(user: string, id: string): boolean {
    const m = this.get(user, id);
    if (!m?.unread) return false;
    m.unread = false;
    this.changed('updated', user, m);
    return true;
  }

  /** Deletes; true when it existed. Unknown ids are no error (spec). */
  delete(user: string, id: string): boolean {
    const box = this.boxes.get(user) ?? [];
    const i = box.findIndex((m) => m.id === id);
    if (i < 0) return false;
    const [m] = box.splice(i, 1);
    this.changed('deleted', user, m);
    return true;
  }

  unread(user: string): number {
    return (this.boxes.get(user) ?? []).filter((m) => m.unread).length;
  }

  // ---- instant messaging

  createImSession(owner: string): SimImSession {
    const s: SimImSession = { ref: `im-${++this.seq}`, owner, participants: [] };
    this.im.set(s.ref, s);
    return s;
  }

  imSessionsOf(user: string): SimImSession[] {
    return [...this.im.values()].filter((s) => s.owner === user || s.participants.includes(user));
  }

  imSession(ref: string): SimImSession | undefined {
    return this.im.get(ref);
  }

  sendIm(ref: string, from: string, message: string): void {
    const s = this.im.get(ref);
    if (!s) return;
    for (const to of s.participants) {
      this.sentMessages.push({ from, to, message, date: Date.now() });
      this.emit('change', { kind: 'im', user: to, ref, from, message } satisfies MessagingChange);
    }
  }

  close(): void {
    this.pbx.off('change', this.onChange);
    this.removeAllListeners();
  }

  private changed(action: 'added' | 'updated' | 'deleted', user: string, message: SimVoicemail): void {
    const change: MessagingChange = { kind: 'voicemail', action, user, mailboxId: this.mailboxOf(user) ?? '', message: { ...message }, unread: this.unread(user) };
    this.emit('change', change);
  }

  /** A call that went to voicemail leaves a message in the mailbox of the user it was meant for. */
  private observe(c: PbxChange): void {
    if (c.kind !== 'call' || c.action !== 'removed' || c.cause !== 'voicemail' || c.view.direction !== 'incoming') return;
    const caller = c.view.participants[0];
    if (caller) this.deposit(c.user, { number: caller.number, name: caller.name, login: caller.login });
  }
}

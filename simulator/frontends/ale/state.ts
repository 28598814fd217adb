/**
 * Server-side state of the ALE front-end: authentication tokens, sessions, subscriptions and their event queues.
 * A subscription outlives its channel: events that arrive while no channel is open wait in its queue, as on the
 * real servers, so a client that reopens the channel loses nothing.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SimUser } from '../../pbx/types';

export interface Selector {
  ids: string[];
  names: string[];
}

export interface SimSession {
  token: string;
  user: SimUser;
  admin: boolean;
  ttlSeconds: number;
  lastUse: number;
  subscriptions: Set<string>;
}

export interface SimSubscription {
  id: string;
  token: string;
  selectors: Selector[];
  queue: string[];
  channel?: ServerResponse;
  keepaliveTimer?: NodeJS.Timeout;
  lifetimeTimer?: NodeJS.Timeout;
  keepaliveMinutes: number;
  timeoutMinutes: number;
}

/** Event name -> package, for selectors that name a package. */
const PACKAGES: Record<string, string[]> = {
  telephony: ['OnCallCreated', 'OnCallModified', 'OnCallRemoved', 'OnUserStateModified', 'OnDeviceStateModified', 'OnTelephonyState', 'OnDynamicStateChanged', 'OnCallAppeared'],
  routingManagement: ['OnRoutingStateChanged', 'OnRoutingManagementFailed', 'OnRoutingProfilesChanged'],
  routing: ['OnRoutingStateChanged', 'OnRoutingManagementFailed', 'OnRoutingProfilesChanged'],
  eventSummary: ['OnEventSummaryUpdated'],
  unifiedComLog: ['OnComRecordCreated', 'OnComRecordModified', 'OnComRecordsDeleted', 'OnComRecordsAck', 'OnComRecordsUnAck'],
  comlog: ['OnComRecordCreated', 'OnComRecordModified', 'OnComRecordsDeleted', 'OnComRecordsAck', 'OnComRecordsUnAck'],
  messaging: ['OnMessageAdded', 'OnMessageUpdated', 'OnMessageDeleted', 'OnVoiceMessageAdded', 'OnVoiceMessageDeleted'],
  user: ['OnUserInfoChanged'],
  userManagement: ['OnUserCreated', 'OnUserDeleted'],
  // O2G SDK maint-events.ts / pbxmngt-events.ts: server-wide events without a login.
  system: ['OnCtiLinkDown', 'OnCtiLinkUp', 'OnPbxLinkDown', 'OnPbxLinkUp', 'OnPbxLoaded', 'OnServerStart', 'OnLicenseExpiration'],
  pbxManagement: ['OnPbxObjectInstanceCreated', 'OnPbxObjectInstanceDeleted', 'OnPbxObjectInstanceModified'],
  agent: ['OnAgentStateChanged', 'OnAgentSkillChanged'],
  pilot: ['OnPilotCallCreated', 'OnPilotCallQueued', 'OnPilotCallRemoved'],
};

const MAX_QUEUE = 50_000;

export const isPilotEvent = (eventName: string): boolean => PACKAGES.pilot.includes(eventName);

/** A selector for the `pilot` package only (its ids are pilot numbers, not logins). */
export const isPilotSelector = (names: string[]): boolean => names.length > 0 && names.every((n) => n === 'pilot' || isPilotEvent(n));

export const newToken = (bytes = 24): string => randomBytes(bytes).toString('hex');

export class AleState {
  /** Authenticated tokens (the `AlcUserId` value) -> user; a session is opened once per token. */
  readonly tokens = new Map<string, SimUser>();
  readonly sessions = new Map<string, SimSession>();
  readonly subscriptions = new Map<string, SimSubscription>();
  sessionsOpened = 0;

  constructor(private readonly ttlSeconds: number) {}

  openSession(token: string, user: SimUser): SimSession {
    const s: SimSession = { token, user, admin: user.admin === true, ttlSeconds: this.ttlSeconds, lastUse: Date.now(), subscriptions: new Set() };
    this.sessions.set(token, s);
    this.sessionsOpened++;
    return s;
  }

  /** The live session of a token; an expired one is removed. Using it restarts its timer. */
  session(token: string | undefined): SimSession | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    if (!s) return undefined;
    if (Date.now() - s.lastUse > s.ttlSeconds * 1000) {
      this.closeSession(token);
      return undefined;
    }
    s.lastUse = Date.now();
    return s;
  }

  closeSession(token: string): void {
    const s = this.sessions.get(token);
    this.sessions.delete(token);
    this.tokens.delete(token);
    if (s) for (const id of s.subscriptions) this.deleteSubscription(id);
  }

  deleteSubscription(id: string): void {
    const sub = this.subscriptions.get(id);
    if (!sub) return;
    this.subscriptions.delete(id);
    this.sessions.get(sub.token)?.subscriptions.delete(id);
    this.stopTimers(sub);
    // The server closes the channel of a deleted subscription (a normal end of the chunked response).
    if (sub.channel && !sub.channel.writableEnded) sub.channel.end();
    sub.channel = undefined;
  }

  stopTimers(sub: SimSubscription): void {
    if (sub.keepaliveTimer) clearInterval(sub.keepaliveTimer);
    if (sub.lifetimeTimer) clearTimeout(sub.lifetimeTimer);
    sub.keepaliveTimer = undefined;
    sub.lifetimeTimer = undefined;
  }

  /** Does a subscription want this event? `login` is the event's `loginName`, or its `pilot` for pilot events. */
  wants(sub: SimSubscription, eventName: string, login: string | undefined): boolean {
    if (eventName === 'OnChannelInformation') return true;
    const session = this.sessions.get(sub.token);
    if (!session) return false;
    return sub.selectors.some((sel) => {
      const named = sel.names.includes(eventName) || sel.names.some((n) => PACKAGES[n]?.includes(eventName));
      if (!named) return false;
      // A pilot selector's ids are pilot numbers, in any session: they say which pilots to monitor.
      if (isPilotEvent(eventName)) return login !== undefined && sel.ids.includes(login);
      // Server-wide events concern every session that asked for them.
      if (PACKAGES.system.includes(eventName) || PACKAGES.pbxManagement.includes(eventName)) return true;
      if (!session.admin) return login === undefined || login === session.user.login;
      return login !== undefined && sel.ids.includes(login);
    });
  }

  /** Writes a line to the channel, or queues it while no channel is open. */
  send(sub: SimSubscription, line: string): void {
    const ch = sub.channel;
    if (ch && !ch.writableEnded && !ch.destroyed) {
      ch.write(line);
      return;
    }
    if (sub.queue.length < MAX_QUEUE) sub.queue.push(line);
  }

  clear(): void {
    for (const sub of this.subscriptions.values()) this.stopTimers(sub);
    this.subscriptions.clear();
    this.sessions.clear();
    this.tokens.clear();
  }
}

import type { RoutingInfo } from '../../shared/model/events';
import {
  parseCalendarTime,
  planCalendarSync,
  titleMatcher,
  type CalendarEvent,
  type SyncMemory,
  type SyncRule,
} from '../../shared/routing/calendar-sync';

const at = (hhmm: string): Date => new Date(`2026-03-02T${hhmm}:00Z`);
const meeting: CalendarEvent = { title: 'Team Meeting', start: at('10:00'), end: at('11:00') };
const lunch: CalendarEvent = { title: 'Lunch', start: at('12:00'), end: at('13:00') };
const rule: SyncRule = { titlePattern: 'meeting', action: { kind: 'forward', number: '0612345678' } };
const none: RoutingInfo = { forward: null, overflow: null, dnd: false };
const toMobile: RoutingInfo = { forward: { type: 'number', destination: '0612345678', condition: 'immediate' }, overflow: null, dnd: false };
const toColleague: RoutingInfo = { forward: { type: 'number', destination: '203', condition: 'busy' }, overflow: null, dnd: false };

describe('planCalendarSync', () => {
  it('sets the forward while a matching event is in progress and remembers what held before', () => {
    const plan = planCalendarSync({ events: [meeting, lunch], rule, now: at('10:15'), current: toColleague, memory: null });
    expect(plan.activeEvent?.title).toBe('Team Meeting');
    expect(plan.changes).toEqual([
      expect.objectContaining({ operation: 'setForward', input: { target: 'number', number: '0612345678', condition: 'immediate' } }),
    ]);
    expect(plan.memory?.previous).toEqual({ forward: toColleague.forward });
    expect(plan.memory?.applied).toEqual({ forward: toMobile.forward });
  });

  it('changes nothing when the state already holds, and keeps the memory', () => {
    const memory: SyncMemory = { applied: { forward: toMobile.forward }, previous: { forward: null }, eventTitle: 'Team Meeting', since: 'x' };
    const plan = planCalendarSync({ events: [meeting], rule, now: at('10:30'), current: toMobile, memory });
    expect(plan.changes).toEqual([]);
    expect(plan.memory).toBe(memory);
  });

  it('restores the previous forward when the event is over, then forgets', () => {
    const memory: SyncMemory = { applied: { forward: toMobile.forward }, previous: { forward: toColleague.forward }, eventTitle: 'Team Meeting', since: 'x' };
    const plan = planCalendarSync({ events: [meeting], rule, now: at('11:00'), current: toMobile, memory });
    expect(plan.activeEvent).toBeNull();
    expect(plan.changes).toEqual([expect.objectContaining({ operation: 'setForward', input: { target: 'number', number: '203', condition: 'busy' } })]);
    expect(plan.memory).toBeNull();
  });

  it('cancels the forward at the end when there was none before', () => {
    const memory: SyncMemory = { applied: { forward: toMobile.forward }, previous: { forward: null }, eventTitle: 'Team Meeting', since: 'x' };
    const plan = planCalendarSync({ events: [], rule, now: at('11:30'), current: toMobile, memory });
    expect(plan.changes.map((c) => c.operation)).toEqual(['cancelForward']);
  });

  it('leaves a forward changed by hand after the event alone', () => {
    const memory: SyncMemory = { applied: { forward: toMobile.forward }, previous: { forward: null }, eventTitle: 'Team Meeting', since: 'x' };
    const plan = planCalendarSync({ events: [], rule, now: at('11:30'), current: toColleague, memory });
    expect(plan.changes).toEqual([]);
    expect(plan.memory).toBeNull();
    expect(plan.reason).toMatch(/by hand/);
  });

  it('never touches a forward it did not set', () => {
    const plan = planCalendarSync({ events: [lunch], rule, now: at('12:30'), current: toColleague, memory: null });
    expect(plan.changes).toEqual([]);
    expect(plan.desired).toBeNull();
  });

  it('ignores free events and events that do not match the title', () => {
    const free = { ...meeting, busy: false };
    expect(planCalendarSync({ events: [free, lunch], rule, now: at('10:15'), current: none, memory: null }).changes).toEqual([]);
    expect(planCalendarSync({ events: [lunch], rule, now: at('12:15'), current: none, memory: null }).activeEvent).toBeNull();
  });

  it('handles voicemail and do-not-disturb rules', () => {
    const vm = planCalendarSync({ events: [meeting], rule: { action: { kind: 'voicemail' } }, now: at('10:15'), current: none, memory: null });
    expect(vm.changes[0]).toMatchObject({ operation: 'setForward', input: { target: 'voicemail' } });
    const dnd = planCalendarSync({ events: [meeting], rule: { action: { kind: 'dnd' } }, now: at('10:15'), current: toColleague, memory: null });
    expect(dnd.changes).toEqual([expect.objectContaining({ operation: 'setDnd', input: { enabled: true } })]);
    expect(dnd.memory?.previous).toEqual({ dnd: false });
    const after = planCalendarSync({ events: [meeting], rule: { action: { kind: 'dnd' } }, now: at('11:15'), current: { ...toColleague, dnd: true }, memory: dnd.memory });
    expect(after.changes).toEqual([expect.objectContaining({ operation: 'setDnd', input: { enabled: false } })]);
  });

  it('re-applies the rule when the routing was changed during the event, keeping the original previous', () => {
    const memory: SyncMemory = { applied: { forward: toMobile.forward }, previous: { forward: null }, eventTitle: 'Team Meeting', since: 'x' };
    const plan = planCalendarSync({ events: [meeting], rule, now: at('10:45'), current: toColleague, memory });
    expect(plan.changes.map((c) => c.operation)).toEqual(['setForward']);
    expect(plan.memory?.previous).toEqual({ forward: null });
  });
});

describe('titleMatcher and parseCalendarTime', () => {
  it('matches substrings and globs, case-insensitively', () => {
    expect(titleMatcher('meeting, *offsite*')('Weekly MEETING')).toBe(true);
    expect(titleMatcher('meeting, *offsite*')('Q3 Offsite day')).toBe(true);
    expect(titleMatcher('meeting')('Lunch')).toBe(false);
    expect(titleMatcher('')('anything')).toBe(true);
    expect(titleMatcher('Out*')('Without')).toBe(false);
  });

  it('reads Google, Outlook and plain times', () => {
    expect(parseCalendarTime({ dateTime: '2026-03-02T10:00:00+01:00' })?.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    expect(parseCalendarTime({ dateTime: '2026-03-02T10:00:00.0000000', timeZone: 'UTC' })?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(parseCalendarTime({ date: '2026-03-02' })?.getDate()).toBe(2);
    expect(parseCalendarTime('2026-03-02T10:00:00Z')?.getTime()).toBe(at('10:00').getTime());
    expect(parseCalendarTime('not a date')).toBeUndefined();
    expect(parseCalendarTime(undefined)).toBeUndefined();
  });
});

/**
 * Voicenter user statuses (`representativeStatus`, 1-13). The Real Time API doc names only 3 = Lunch and points
 * to another document; the names below are the ones Voicenter's own Events SDK uses
 * (VoicenterTeam/VoicenterEventsSDK `src/enum/statusTypes.js`: 1 login, 2 logout, 3 lunch, 5 administrative,
 * 7 private, 9 other, 11 training, 12 team meeting, 13 brief). 4, 6, 8 and 10 are unnamed there.
 */
const NAMES: Record<number, string> = {
  1: 'logged_in',
  2: 'logged_out',
  3: 'lunch',
  5: 'administrative',
  7: 'private',
  9: 'other',
  11: 'training',
  12: 'team_meeting',
  13: 'brief',
};

/** The agent state for a status number (1-13); unnamed numbers keep their number. */
export function statusName(status: number): string {
  return NAMES[status] ?? `status_${status}`;
}

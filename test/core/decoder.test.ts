import { DecodeError } from '../../shared/errors';
import { decodeAleLine } from '../../shared/platforms/ale/decoder';
import { AlePipeline } from '../../shared/platforms/ale/pipeline';

describe('ALE decoder', () => {
  it('reads the internal O2G form as the public one', () => {
    const e = decodeAleLine(JSON.stringify({ name: 'RTSM_PARTICIPANT_REMOVED', id: 'oxe1', callRef: 'c', participantIds: ['9'], cause: 'CLEARED', time: 1704905253934 }));
    expect(e).toMatchObject({ eventName: 'OnCallModified', loginName: 'oxe1', removedParticipantIds: ['9'], time: 1704905253934 });
    expect(decodeAleLine(JSON.stringify({ name: 'RTSM_USER_STATE_MODIFIED', id: 'u', userState: 'BUSY' }))).toMatchObject({ eventName: 'OnUserStateModified', state: 'BUSY' });
  });

  it.each([
    ['{"eventName": "OnCallCreated", ', 'malformed JSON'],
    ['[1,2]', 'must be a JSON object'],
    ['"text"', 'must be a JSON object'],
    ['{"foo": 1}', 'no eventName'],
  ])('rejects %s with a DecodeError', (line, message) => {
    expect(() => decodeAleLine(line)).toThrow(DecodeError);
    expect(() => decodeAleLine(line)).toThrow(message);
  });

  it('skips keepalive and blank lines', () => {
    expect(decodeAleLine('')).toBeUndefined();
    expect(decodeAleLine('  {}  ')).toBeUndefined();
  });

  it('accepts both spellings of removed legs and participants', () => {
    const p = new AlePipeline({ platform: 'o2g', now: () => 0 });
    const base = { eventName: 'OnCallCreated', loginName: 'u', callRef: 'c', legs: [{ deviceId: 'A', state: 'RINGING_INCOMING' }, { deviceId: 'B', state: 'RINGING_INCOMING' }], participants: [{ participantId: '1', identity: { id: { phoneNumber: '100' } } }] };
    p.pushLine(JSON.stringify(base));
    p.pushLine(JSON.stringify({ eventName: 'OnCallModified', loginName: 'u', callRef: 'c', removedLeg: [{ deviceId: 'A' }], modifiedLegs: [{ deviceId: 'B', state: 'ACTIVE' }] }));
    const out = p.pushLine(JSON.stringify({ eventName: 'OnCallRemoved', loginName: 'u', callRef: 'c' }));
    expect(out[0].call).toMatchObject({ answered: true, device: 'B', from: { number: '100' } });
  });
});

/**
 * AMI framing (banner, CRLF or LF, repeated keys, values holding ": ", empty values, Asterisk 13's Follows block)
 * with bounded buffers, and the settings schema's verdicts in each host's words.
 */
import { AmiDecoder, encodeAction, type AmiMessage } from '../../shared/platforms/asterisk/codec';
import { readSettings } from '../../shared/connection/settings';
import { PbxError } from '../../shared/errors';
import { ASTERISK_SETTINGS, asteriskSettings } from '../../shared/platforms/asterisk/settings';
import { create } from '../../shared/platforms/asterisk/module';

function decode(text: string, o: ConstructorParameters<typeof AmiDecoder>[1] = {}): { messages: AmiMessage[]; banner?: string } {
  const messages: AmiMessage[] = [];
  let banner: string | undefined;
  const d = new AmiDecoder((m) => messages.push(m), { ...o, onBanner: (b) => (banner = b) });
  d.push(text);
  return { messages, banner };
}

describe('AMI decoder', () => {
  it('reads the banner, then messages; keeps repeated keys, empty values and values with ": "', () => {
    const { messages, banner } = decode(
      'Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n'
      + 'Event: BlindTransfer\r\nAccountCode: \r\nTransfererChanVariable: a=1\r\nTransfererChanVariable: b=2\r\nNote: x: y\r\n\r\n',
      { expectBanner: true },
    );
    expect(banner).toBe('Asterisk Call Manager/9.0.0');
    expect(messages).toHaveLength(2);
    expect(messages[0].response).toBe('Success');
    expect(messages[1].get('AccountCode')).toBe('');
    expect(messages[1].all('TransfererChanVariable')).toEqual(['a=1', 'b=2']);
    expect(messages[1].get('Note')).toBe('x: y');
  });

  it('frames split anywhere, LF or CRLF, decode the same', () => {
    const text = 'Event: Newchannel\r\nChannel: PJSIP/201-00000001\r\nUniqueid: 1.1\r\n\r\nEvent: Hangup\r\nCause: 16\r\n\r\n';
    const whole = decode(text).messages.map((m) => ({ ...m.fields }));
    const bytes: AmiMessage[] = [];
    const d = new AmiDecoder((m) => bytes.push(m));
    const buf = Buffer.from(text.replace(/\r\n/g, '\n'));
    for (let i = 0; i < buf.length; i++) d.pushBytes(buf.subarray(i, i + 1));
    expect(bytes.map((m) => ({ ...m.fields }))).toEqual(whole);
  });

  it('keeps UTF-8 names whole across chunk boundaries', () => {
    const got: AmiMessage[] = [];
    const d = new AmiDecoder((m) => got.push(m));
    const buf = Buffer.from('Event: Newchannel\r\nCallerIDName: Дмитрий Ørsted\r\n\r\n');
    d.pushBytes(buf.subarray(0, 32));
    d.pushBytes(buf.subarray(32));
    expect(got[0].get('CallerIDName')).toBe('Дмитрий Ørsted');
  });

  it('an over-long line is cut and the message marked bad; the buffer stays bounded and the next message is fine', () => {
    const got: AmiMessage[] = [];
    const d = new AmiDecoder((m) => got.push(m), { maxLine: 1024 });
    d.push('Event: UserEvent\r\nUserEvent: ');
    for (let i = 0; i < 100; i++) d.push('x'.repeat(10_000));
    expect((d as unknown as { tail: string }).tail.length).toBeLessThanOrEqual(1024 + 10_000);
    d.push('\r\n\r\nEvent: Hangup\r\nCause: 16\r\n\r\n');
    expect(got).toHaveLength(2);
    expect(got[0].bad).toMatch(/longer than the limit/);
    expect(got[1].get('Cause')).toBe('16');
    expect(got[1].bad).toBeUndefined();
  });

  it('too many lines and a line with no colon mark the message bad, never throw', () => {
    const many = `Event: X\r\n${Array.from({ length: 200 }, (_v, i) => `H${i}: v`).join('\r\n')}\r\n\r\n`;
    const { messages } = decode(`${many}Event: VarSet\r\nno colon here\r\n\r\n`, { maxLines: 128 });
    expect(messages[0].bad).toMatch(/more than 128 lines/);
    expect(Object.keys(messages[0].fields)).toHaveLength(128);
    expect(messages[1].bad).toMatch(/not "Key: Value"/);
  });

  it('Asterisk 13 Command output (Response: Follows) keeps its raw lines', () => {
    const { messages } = decode('Response: Follows\r\nPrivilege: Command\r\nChannel   Location\r\n0 active channels\r\n--END COMMAND--\r\n\r\n');
    expect(messages[0].output).toEqual(['Channel   Location', '0 active channels', '--END COMMAND--']);
  });

  it('actions are CRLF framed and a value cannot smuggle a header in', () => {
    expect(encodeAction('Originate', { Exten: '201\r\nAction: Command', Variable: ['a=1', 'b=2'], Skip: undefined }))
      .toBe('Action: Originate\r\nExten: 201 Action: Command\r\nVariable: a=1\r\nVariable: b=2\r\n\r\n');
  });
});

describe('settings schema', () => {
  it('names a wrong field as each host labels it, and never echoes a secret', () => {
    const raw = { url: 'http://pbx:5038', login: 'admin', password: 'hunter22' };
    const cli = readSettings(ASTERISK_SETTINGS, raw, 'cli');
    const n8n = readSettings(ASTERISK_SETTINGS, raw, 'n8n');
    const nodeRed = readSettings(ASTERISK_SETTINGS, raw, 'nodeRed');
    expect(cli).toBeInstanceOf(PbxError);
    expect((cli as PbxError).message).toMatch(/^url must start with tcp:\/\/ or tls:\/\//);
    expect((n8n as PbxError).message).toMatch(/^AMI Address must start/);
    expect((nodeRed as PbxError).message).toMatch(/^AMI address must start/);
    const noSecret = readSettings(ASTERISK_SETTINGS, { url: 'tcp://pbx', login: 'a' }, 'n8n');
    expect((noSecret as PbxError).message).toBe('AMI Secret is required');
  });

  it('fills defaults and types values', () => {
    const s = asteriskSettings({ url: 'tls://pbx', login: 'a', password: 'p', users: '201, 202', keepaliveMs: '5000', insecure: 'true' });
    expect(s).toMatchObject({ authType: 'md5', users: ['201', '202'], keepaliveMs: 5000, insecure: true, internalContexts: ['from-internal'], channelTech: 'PJSIP' });
    expect(() => asteriskSettings({ url: 'tcp://pbx', login: 'a', password: 'p', keepaliveMs: 1 })).toThrow(/Keepalive|keepalive-ms must be between 50/);
  });

  it('a connection with bad settings throws before anything opens', () => {
    const before = process.getActiveResourcesInfo().length;
    expect(() => create({ platform: 'asterisk', url: 'tcp://pbx', login: '', password: 'x' })).toThrow(/login is required/);
    expect(process.getActiveResourcesInfo().length).toBe(before);
  });
});

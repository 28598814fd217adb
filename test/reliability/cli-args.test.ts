/** CLI argument handling: boolean flags take no value, one password variable, platform modules looked up lazily. */
import { loadCliPlatform, parseArgs, passwordFrom } from '../../cli/io';
import { captureIo as io } from '../helpers/cli';

describe('CLI arguments', () => {
  it('--raw FILE: the flag takes no value, FILE stays positional', () => {
    expect(parseArgs(['replay', '--raw', 'capture.ndjson', '--platform', 'o2g'])).toEqual({ flags: { raw: true, platform: 'o2g' }, positional: ['replay', 'capture.ndjson'] });
    expect(parseArgs(['--insecure', 'x', '--count', '3']).flags).toEqual({ insecure: true, count: '3' });
  });

  it('password: --password, then PBXFLOW_PASSWORD, then PBX_PASSWORD with a deprecation note, else none', () => {
    const a = io();
    expect(passwordFrom({ password: 'p1' }, a.io, 'listen', { PBXFLOW_PASSWORD: 'p2' })).toBe('p1');
    expect(passwordFrom({}, a.io, 'listen', { PBXFLOW_PASSWORD: 'p2', PBX_PASSWORD: 'p3' })).toBe('p2');
    expect(a.err()).toBe('');
    expect(passwordFrom({}, a.io, 'listen', { PBX_PASSWORD: 'p3' })).toBe('p3');
    expect(a.err()).toMatch(/PBX_PASSWORD is deprecated, use PBXFLOW_PASSWORD/);
    expect(passwordFrom({}, a.io, 'listen', {})).toBeUndefined();
  });

  it('a platform module that this build lacks: a clear "not available" message', () => {
    const a = io();
    expect(loadCliPlatform('no-such-platform', a.io, 'listen')).toBeUndefined();
    expect(a.err()).toMatch(/platform "no-such-platform" is not available in this build/);
  });
});

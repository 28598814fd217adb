/**
 * Issue 19.12: the catalogue's validator checks every field of every operation for its type and a sane size, with
 * an `InputError` naming the field, before anything is sent (whichever host calls: the check is in the core).
 */
import { InputError } from '../../shared/errors';
import { OPERATIONS, type FieldSpec } from '../../shared/operations/catalogue';
import { DEFAULT_MAX_JSON, DEFAULT_MAX_LENGTH, validateInput } from '../../shared/operations/validate';
import { AleConnection } from '../../shared/platforms/ale/connection';
import { PASSWORD, startFakeAle } from '../reliability/fake-ale';

/** A valid value for each field (so that only the field under test is wrong). */
function valid(f: FieldSpec): unknown {
  if (f.type === 'number') return f.min ?? 1;
  if (f.type === 'boolean') return true;
  if (f.type === 'options') return f.options![0].value;
  if (f.type === 'json') return '{}';
  return f.name === 'since' ? '2025-01-01' : '203';
}

const wrongType = (f: FieldSpec): unknown => (f.type === 'json' ? 42 : { a: 1 });
const rows = OPERATIONS.flatMap((op) => (op.fields as readonly FieldSpec[]).map((f) => [op.name, f.name, f] as const));

function refusal(operation: string, input: Record<string, unknown>): InputError {
  try {
    validateInput(operation, input);
  } catch (e) {
    return e as InputError;
  }
  throw new Error(`${operation} accepted ${JSON.stringify(input).slice(0, 80)}`);
}

describe('every field of every operation', () => {
  it.each(rows)('%s.%s: the wrong type is refused, naming the field', (op, name, f) => {
    const input = Object.fromEntries((OPERATIONS.find((o) => o.name === op)!.fields as readonly FieldSpec[]).map((x) => [x.name, valid(x)]));
    expect(() => validateInput(op, input)).not.toThrow();
    const e = refusal(op, { ...input, [name]: wrongType(f) });
    expect(e).toBeInstanceOf(InputError);
    expect(e).toMatchObject({ code: 'INVALID_INPUT', field: name, operation: op });
    expect(e.message).toContain(`"${f.displayName}"`);
  });

  it.each(rows.filter(([, , f]) => f.type === 'string' || f.type === 'json'))('%s.%s: a value beyond its length is refused', (op, name, f) => {
    const input = Object.fromEntries((OPERATIONS.find((o) => o.name === op)!.fields as readonly FieldSpec[]).map((x) => [x.name, valid(x)]));
    const max = f.maxLength ?? (f.type === 'json' ? DEFAULT_MAX_JSON : DEFAULT_MAX_LENGTH);
    const e = refusal(op, { ...input, [name]: f.type === 'json' ? `"${'x'.repeat(max)}"` : '1'.repeat(max + 1) });
    expect(e).toMatchObject({ field: name, code: 'INVALID_INPUT' });
    expect(e.message).toMatch(/too long/);
  });
});

describe('the cases the issue names', () => {
  it('destination {"a":1} is refused (it dialled "[object Object]"); so is a 1 000 000-character destination; fair values pass', () => {
    const obj = refusal('makeCall', { destination: { a: 1 } });
    expect(obj.message).toBe('Make Call: "Destination" (destination) must be text, got an object');
    const long = refusal('makeCall', { destination: '1'.repeat(1_000_000) });
    expect(long.message).toBe(`Make Call: "Destination" (destination) is too long: 1000000 characters, at most ${DEFAULT_MAX_LENGTH}`);
    expect(refusal('makeCall', { destination: '203\r\nX-Injected: 1' }).field).toBe('destination');
    expect(refusal('setDnd', { enabled: { on: true } }).field).toBe('enabled');
    expect(refusal('listCallLog', { limit: [5] }).field).toBe('limit');
    expect(refusal('listCallLog', { limit: -3 }).message).toMatch(/at least 0/);
    // What hosts legitimately send still passes: numbers from expressions, flags as text, a message on lines.
    expect(validateInput('makeCall', { destination: 203, autoAnswer: 'true' })).toEqual({ destination: '203', autoAnswer: true, deviceId: '' });
    expect(validateInput('listCallLog', { limit: '25', unansweredOnly: 'false' })).toMatchObject({ limit: 25, unansweredOnly: false });
    expect(validateInput('sendInstantMessage', { to: 'bob', message: 'line 1\nline 2' })).toMatchObject({ message: 'line 1\nline 2' });
  });

  it('an ALE connection refuses before sending anything', async () => {
    const fake = await startFakeAle();
    const conn = new AleConnection({ platform: 'o2g', url: fake.url, login: 'bob', password: PASSWORD, requestTimeoutMs: 2000 });
    try {
      await expect(conn.execute('makeCall', { destination: { a: 1 } })).rejects.toMatchObject({ name: 'InputError', field: 'destination' });
      await expect(conn.execute('makeCall', { destination: '9'.repeat(1_000_000) })).rejects.toBeInstanceOf(InputError);
      expect(fake.counts.requests).toBe(0);
    } finally {
      await conn.close();
      await fake.close();
    }
  });
});

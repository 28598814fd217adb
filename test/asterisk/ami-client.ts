/** The Asterisk suites' client over real AMI sockets: a connection on scaled timings that records what it hears. */
import { create, type AsteriskConnection } from '../../shared/platforms/asterisk/module';
import type { PbxEvent } from '../../shared/model/events';
import type { ConnectionWarning } from '../../shared/connection/types';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A connection to the AMI front-end at `url`, added to `open` (closed by the suite after each test). */
export function connectAmiTo(url: string, open: AsteriskConnection[], extra: Record<string, unknown> = {}, password = 'ami-secret') {
  const c = create({ platform: 'asterisk', url, login: 'pbxflow', password, extra: { backoffInitialMs: 20, backoffMaxMs: 100, keepaliveMs: 1000, requestTimeoutMs: 2000, ...extra } });
  open.push(c);
  const events: PbxEvent[] = [];
  const warnings: ConnectionWarning[] = [];
  c.onEvent((e) => events.push(e));
  c.onWarning((w) => warnings.push(w));
  const of = (user: string) => events.filter((e) => e.user === user && e.type.startsWith('call.')).map((e) => e.type);
  return { c, events, warnings, of };
}

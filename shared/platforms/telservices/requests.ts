/**
 * One TelServices request: encoded, sent on a transport, its return decoded and checked, every error scrubbed
 * (the server's text, and the wire names a PbxApiError carries: an unknown error name is server text too).
 */
import { scrubErrorWith } from '../../connection/base';
import { PbxApiError, PbxError } from '../../errors';
import { decodeReturn, encodeRequest, expectResult } from './codec';
import type { RequestName } from './schema';
import type { TelServicesTransport } from './transport';
import type { ResultMap, ResultName, TsReturn } from './types';

/** Network failures where the request never reached TelServer (nothing can have been opened). */
export const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/;

export interface RequesterOptions {
  transport: TelServicesTransport;
  scrub(text: string): string;
  /** Counted per request sent. */
  stats: { requests: number };
  /** TelServer says the device's session is gone (noOpenSession). */
  sessionGone(device: string): void;
}

export class TelServicesRequester {
  constructor(private readonly o: RequesterOptions) {}

  async request(service: RequestName, params: Record<string, unknown>, timeoutMs?: number, transport = this.o.transport): Promise<TsReturn> {
    const xml = encodeRequest(service, params);
    this.o.stats.requests++;
    let body: string;
    try {
      body = await transport.send(xml, { timeoutMs });
    } catch (err) {
      throw this.clean(err);
    }
    try {
      return decodeReturn(body);
    } catch (err) {
      throw new PbxError('DECODE', this.o.scrub(`TelServer answered ${service} with something unreadable: ${(err as Error).message}`));
    }
  }

  /** A request whose return must be `expect` for `device`; a request that finds the session gone says so (the caller still gets the error). */
  async call<K extends ResultName>(service: RequestName, params: Record<string, unknown>, expect: K, device: string, timeoutMs?: number, transport?: TelServicesTransport): Promise<ResultMap[K]> {
    const ret = await this.request(service, params, timeoutMs, transport);
    try {
      return expectResult(ret, expect, `${service} for ${device}`);
    } catch (err) {
      if (err instanceof PbxApiError && err.type === 'noOpenSession') this.o.sessionGone(device);
      throw this.clean(err);
    }
  }

  /** Scrubbed, with the wire names a PbxApiError carries. */
  clean(err: unknown): PbxError {
    const scrub = (t: string) => this.o.scrub(t);
    const e = scrubErrorWith(err, scrub);
    if (!(e instanceof PbxApiError)) return e;
    const type = e.type === undefined ? undefined : scrub(e.type);
    const code = typeof e.pbxCode === 'string' ? scrub(e.pbxCode) : e.pbxCode;
    if (type === e.type && code === e.pbxCode) return e;
    return new PbxApiError(e.message, { status: e.status, type, code, canRetry: e.canRetry, helpMessage: e.helpMessage });
  }
}

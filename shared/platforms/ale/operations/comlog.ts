/**
 * Call log: list with filters, acknowledge. Endpoint table first. Paths below the `comlog` service URL, which
 * O2G's SDK uses as the record collection itself (o2g-node-sdk src/internal/rest/comlog-rest.ts: `GET <comlog>`,
 * `PUT <comlog>?acknowledge=true`); OpenTouch's spec (comlog) has `/comlog/records`. Records come back in the
 * normalized form of the `callLog.created` event (normalizer.ts `callLogRecord`), the PBX's own with `raw`.
 */
import { PbxError } from '../../../errors';
import type { CallLogRecord } from '../../../model/events';
import { callLogRecord } from '../normalizer';
import { send, type AleOperationContext, type AlePlatform, type AleRestLike, type Endpoint } from './types';

export interface ListQuery { unanswered: boolean; unacknowledged: boolean; afterDate?: string; limit: number }

/** The record collection below the service URL: `/records` below OpenTouch's `/comlog`, the service itself on O2G. */
const recordsPath = (platform: AlePlatform) => (): string => (platform === 'opentouch' ? '/records' : '');

const comlogEndpoints = (platform: AlePlatform) => ({
  list: {
    method: 'GET', service: 'comlog', path: recordsPath(platform),
    // Booleans only when true: `unacknowledged=false` means "all", and omitted `unanswered` means "all".
    query: (i) => ({ unanswered: i.unanswered || undefined, unacknowledged: i.unacknowledged || undefined, afterDate: i.afterDate, limit: i.limit > 0 ? i.limit : undefined }),
  } as Endpoint<ListQuery>,
  /** Record ids: `long` in the spec (OpenTouch: numbers when numeric); strings in the O2G SDK (`recordIds: string[]`). */
  acknowledge: {
    method: 'PUT', service: 'comlog', path: recordsPath(platform), query: () => ({ acknowledge: 'true' }), body: (i) => ({ recordIds: i.recordIds }),
  } as Endpoint<{ recordIds: Array<number | string> }>,
});

export const COMLOG: Record<AlePlatform, ReturnType<typeof comlogEndpoints>> = { opentouch: comlogEndpoints('opentouch'), o2g: comlogEndpoints('o2g') };

type Input = Record<string, unknown>;

const idsFor = (platform: AlePlatform, ids: string[]): Array<number | string> =>
  platform === 'o2g' ? ids : ids.map((x) => (/^\d+$/.test(x) && Number.isSafeInteger(Number(x)) ? Number(x) : x));
type Handler = (rest: AleRestLike, input: Input, ctx: AleOperationContext) => Promise<unknown>;

/** Any date the user gives, as the spec's UTC `yyyy-MM-ddTHH:mm:ss.SSSZ`. */
function isoDate(v: unknown): string | undefined {
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new PbxError('INVALID_INPUT', `List Call Log: "Since" is not a date: "${v}"`);
  return new Date(t).toISOString();
}

export const COMLOG_HANDLERS: Record<string, Handler> = {
  async listCallLog(rest, input, ctx) {
    const limit = typeof input.limit === 'number' ? input.limit : 50;
    const res = await send<{ comHistoryRecords?: unknown[]; totalCount?: number } | undefined, ListQuery>(rest, COMLOG[ctx.platform].list, {
      unanswered: input.unansweredOnly === true,
      unacknowledged: input.unacknowledgedOnly === true,
      afterDate: isoDate(input.since),
      limit,
    }, ctx);
    const raw = (Array.isArray(res?.comHistoryRecords) ? res.comHistoryRecords : []).slice(0, limit > 0 ? limit : undefined);
    const totalCount = typeof res?.totalCount === 'number' ? res.totalCount : raw.length;
    // The PBX's own records only on request (troubleshooting); otherwise the record `callLog.created` carries.
    if (ctx.raw) return { records: raw, totalCount };
    const records = raw.map((r) => callLogRecord(r, ctx.user)).filter((r): r is CallLogRecord => r !== undefined);
    return { records, totalCount };
  },
  async acknowledgeCallLog(rest, input, ctx) {
    const ids = String(input.recordIds ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (!ids.length) throw new PbxError('INVALID_INPUT', 'Acknowledge Call Log: give at least one record ID');
    const recordIds = idsFor(ctx.platform, ids);
    await send(rest, COMLOG[ctx.platform].acknowledge, { recordIds }, ctx);
    return { ok: true, operation: 'acknowledgeCallLog', recordIds };
  },
};

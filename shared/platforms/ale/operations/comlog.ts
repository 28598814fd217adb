/** Call log (`/comlog/records`): list with filters, acknowledge. Endpoint table first. Paths relative to `/api/rest/1.0`. */
import { PbxError } from '../../../errors';
import { send, type AleOperationContext, type AleRestLike, type Endpoint } from './types';

export interface ListQuery { unanswered: boolean; unacknowledged: boolean; afterDate?: string; limit: number }

export const COMLOG = {
  list: {
    method: 'GET', path: () => '/comlog/records',
    // Booleans only when true: `unacknowledged=false` means "all", and omitted `unanswered` means "all".
    query: (i) => ({ unanswered: i.unanswered || undefined, unacknowledged: i.unacknowledged || undefined, afterDate: i.afterDate, limit: i.limit > 0 ? i.limit : undefined }),
  } as Endpoint<ListQuery>,
  /** Record ids are `long` in the spec; the O2G SDK sends strings. We send numbers when they are numeric. */
  acknowledge: {
    method: 'PUT', path: () => '/comlog/records', query: () => ({ acknowledge: 'true' }), body: (i) => ({ recordIds: i.recordIds }),
  } as Endpoint<{ recordIds: Array<number | string> }>,
};

type Input = Record<string, unknown>;
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
    const res = await send<{ comHistoryRecords?: unknown[]; totalCount?: number } | undefined, ListQuery>(rest, COMLOG.list, {
      unanswered: input.unansweredOnly === true,
      unacknowledged: input.unacknowledgedOnly === true,
      afterDate: isoDate(input.since),
      limit,
    }, ctx);
    const records = (res?.comHistoryRecords ?? []).slice(0, limit > 0 ? limit : undefined);
    return { records, totalCount: res?.totalCount ?? records.length };
  },
  async acknowledgeCallLog(rest, input, ctx) {
    const ids = String(input.recordIds ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if (!ids.length) throw new PbxError('INVALID_INPUT', 'Acknowledge Call Log: give at least one record ID');
    const recordIds = ids.map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    await send(rest, COMLOG.acknowledge, { recordIds }, ctx);
    return { ok: true, operation: 'acknowledgeCallLog', recordIds };
  },
};

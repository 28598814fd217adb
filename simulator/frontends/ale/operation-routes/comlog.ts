/** Simulated call log (`/comlog/records`) and its `OnComRecord*` events. */
import type { ComlogChange, SimComRecord } from '../../../pbx/comlog';
import type { VirtualPbx } from '../../../pbx/virtual-pbx';
import { restError, type AleRoute, type OperationRouteContext } from '../routes';
import { obj, simFeatures } from './features';

/** A `ComHistoryRecord`: the owner with role and `answered`, the others by identity only (spec §2.7). */
export function renderRecord(pbx: VirtualPbx, user: string, r: SimComRecord): Record<string, unknown> {
  const owner = pbx.user(user);
  return {
    recordId: r.recordId,
    comRef: r.ref,
    acknowledged: r.acknowledged,
    participants: [
      { role: r.direction === 'outgoing' ? 'CALLER' : 'CALLEE', answered: r.answered, identity: { id: { loginName: user, phoneNumber: owner?.number } } },
      ...r.parties.map((p) => ({ identity: { id: { phoneNumber: p.number, ...(p.login ? { loginName: p.login } : {}) }, ...(p.name ? { displayName: p.name } : {}) } })),
    ],
    beginDate: new Date(r.beginDate).toISOString(),
    endDate: new Date(r.endDate).toISOString(),
    medias: ['AUDIO'],
  };
}

export function comlogRoutes(ctx: OperationRouteContext): AleRoute[] {
  const { pbx } = ctx;
  const { comlog } = simFeatures(pbx);

  comlog.on('change', (c: ComlogChange) => {
    if (c.kind === 'created') ctx.publish({ eventName: 'OnComRecordCreated', loginName: c.user, record: renderRecord(pbx, c.user, c.record), missedCallsNb: c.missedCalls });
    else ctx.publish({ eventName: 'OnComRecordsAck', loginName: c.user, recordIds: c.recordIds });
  });

  return [
    {
      method: 'GET', path: '/comlog/records',
      handle: (r) => {
        const q = r.query;
        const afterDate = q.get('afterDate');
        const after = afterDate ? Date.parse(afterDate) : undefined;
        if (after !== undefined && Number.isNaN(after)) return restError(400, 'BAD_PARAMETER', 'afterDate must be yyyy-MM-ddTHH:mm:ss.SSSZ');
        const all = comlog.list(r.user, { unanswered: q.get('unanswered') === 'true', unacknowledged: q.get('unacknowledged') === 'true', after });
        const offset = Number(q.get('offset') ?? 0);
        const limit = Number(q.get('limit') ?? 0);
        const page = all.slice(offset, limit > 0 ? offset + limit : undefined);
        return { status: 200, body: { comHistoryRecords: page.map((x) => renderRecord(pbx, r.user, x)), offset, limit, totalCount: all.length } };
      },
    },
    {
      method: 'PUT', path: '/comlog/records',
      handle: (r) => {
        const ids = obj(r.body).recordIds;
        if (!Array.isArray(ids)) return restError(400, 'BAD_PARAMETER', 'recordIds is mandatory');
        // The O2G SDK sends the ids as strings (comlog-rest.ts `recordIds: string[]`); the spec says long (OpenTouch).
        if (ctx.flavour === 'o2g' && ids.some((x) => typeof x !== 'string')) return restError(400, 'BAD_PARAMETER', 'recordIds must be strings');
        if (ctx.flavour === 'opentouch' && ids.some((x) => typeof x !== 'number')) return restError(400, 'BAD_PARAMETER', 'recordIds must be numbers (long)');
        if (r.query.get('acknowledge') !== 'false') comlog.acknowledge(r.user, ids as Array<number | string>);
        return { status: 204 };
      },
    },
  ];
}

/** Simulated `/telephony` actions: each request runs one virtual-PBX primitive; its events follow on the channel. */
import { renderCall } from '../render';
import { restError, type AleRoute, type OperationRouteContext, type SimRequest } from '../routes';
import { act, obj, simErrorResponse, simFeatures, str } from './features';

export function telephonyRoutes(ctx: OperationRouteContext): AleRoute[] {
  const { pbx } = ctx;
  const body = (r: SimRequest) => obj(r.body);
  const need = (r: SimRequest, field: string) => str(body(r)[field]);
  const missing = (field: string) => restError(400, 'BAD_PARAMETER', `${field} is mandatory`);
  /** The call must be one of the acting user's calls: another user's callRef is "not found" to them. */
  /** `anonymous` is a boolean when present (spec BlindTransferRequest / RedirectRequest; the O2G SDK always sends it). */
  const badAnonymous = (r: SimRequest) => {
    const a = body(r).anonymous;
    return a !== undefined && typeof a !== 'boolean' ? restError(400, 'BAD_PARAMETER', 'anonymous must be a boolean') : undefined;
  };
  const own = (r: SimRequest) => (pbx.viewOf(r.params.callRef, r.user) ? undefined : restError(404, 'NOT_FOUND', `no call ${r.params.callRef} for ${r.user}`));
  const onCall = (path: string, handle: AleRoute['handle']): AleRoute => ({
    method: 'POST', path: `/telephony/calls/:callRef/${path}`, handle: (r) => own(r) ?? handle(r),
  });

  return [
    {
      method: 'POST', path: '/telephony/calls',
      handle: (r) => {
        const callee = need(r, 'callee');
        if (!callee) return missing('callee');
        try {
          const ref = pbx.makeCall(r.user, callee, { device: need(r, 'deviceId') });
          return { status: 201, body: ref };
        } catch (err) {
          return simErrorResponse(err);
        }
      },
    },
    { method: 'GET', path: '/telephony/calls', handle: (r) => ({ status: 200, body: { calls: pbx.viewsOf(r.user).map(renderCall) } }) },
    {
      method: 'GET', path: '/telephony/calls/:callRef',
      handle: (r) => {
        const v = pbx.viewOf(r.params.callRef, r.user);
        return v ? { status: 200, body: renderCall(v) } : restError(404, 'NOT_FOUND', `no call ${r.params.callRef}`);
      },
    },
    { method: 'DELETE', path: '/telephony/calls/:callRef', handle: (r) => own(r) ?? act(() => pbx.hangUp(r.params.callRef, r.user)) },
    onCall('answer', (r) => act(() => pbx.answer(r.params.callRef, r.user, need(r, 'deviceId')))),
    onCall('dropme', (r) => act(() => pbx.hangUp(r.params.callRef, r.user))),
    onCall('hold', (r) => act(() => pbx.hold(r.params.callRef, r.user))),
    onCall('retrieve', (r) => act(() => pbx.retrieve(r.params.callRef, r.user))),
    // OpenTouch (spec): `callRef` is the held call. O2G (SDK, o2g-telephony.ts): `callRef` is the active call.
    // Alternate on the other call is refused as a server refuses an action the call's state does not allow.
    onCall('alternate', (r) => {
      if (!need(r, 'deviceId')) return missing('deviceId');
      const named = pbx.viewOf(r.params.callRef, r.user)!;
      const want = ctx.flavour === 'opentouch' ? 'held' : 'active';
      if (named.state !== want) return restError(403, 'NOT_EXPECTED', `alternate: call ${r.params.callRef} is ${named.state}, the path must name the ${want} call`);
      const other = pbx.viewsOf(r.user).find((v) => v.ref !== r.params.callRef && v.state === (want === 'held' ? 'active' : 'held'));
      if (!other) return restError(403, 'NOT_EXPECTED', 'alternate needs one active and one held call');
      const [active, held] = want === 'held' ? [other.ref, r.params.callRef] : [r.params.callRef, other.ref];
      return act(() => {
        pbx.hold(active, r.user);
        pbx.retrieve(held, r.user);
      });
    }),
    onCall('transfer', (r) => {
      const held = need(r, 'heldCallRef');
      return held ? act(() => pbx.transfer(r.params.callRef, held, r.user)) : missing('heldCallRef');
    }),
    onCall('blindtransfer', (r) => {
      if (badAnonymous(r)) return badAnonymous(r)!;
      const to = need(r, 'transferTo');
      return to ? act(() => pbx.blindTransfer(r.params.callRef, r.user, to)) : missing('transferTo');
    }),
    onCall('redirect', (r) => {
      if (badAnonymous(r)) return badAnonymous(r)!;
      const to = need(r, 'redirectTo');
      if (!to) return missing('redirectTo');
      if (to === 'DVA') return restError(400, 'NOT_SUPPORTED', 'the simulator has no DVA');
      return act(() => pbx.redirect(r.params.callRef, r.user, to === 'VOICEMAIL' ? 'voicemail' : to));
    }),
    // O2G SDK `overflowToVoiceMail`: the ringing call goes to the user's voicemail (no body).
    ...(ctx.flavour === 'o2g' ? [onCall('overflowToVoiceMail', (r) => act(() => pbx.redirect(r.params.callRef, r.user, 'voicemail')))] : []),
    onCall('merge', (r) => {
      const held = need(r, 'heldCallRef');
      return held ? act(() => pbx.conference(r.params.callRef, held, r.user)) : missing('heldCallRef');
    }),
    onCall('sendDtmf', (r) => {
      const digits = need(r, 'number');
      if (!digits || !/^[0-9*#A-D]+$/i.test(digits)) return restError(400, 'BAD_PARAMETER', 'number must hold DTMF digits');
      if (pbx.viewOf(r.params.callRef, r.user)?.state !== 'active') return restError(400, 'NOT_EXPECTED', 'the call is not active');
      simFeatures(pbx).dtmf.push({ user: r.user, callRef: r.params.callRef, digits });
      return { status: 204 };
    }),
    onCall('participants', () => restError(400, 'NOT_SUPPORTED', 'the simulator does not implement participants')),
    onCall('park', (r) => {
      // The O2G SDK always sends `parkTo` (spec ParkRequest: optional on OpenTouch, omitted = the current device).
      const to = body(r).parkTo;
      if (ctx.flavour === 'o2g' && !str(to)) return missing('parkTo');
      if (to !== undefined && typeof to !== 'string') return restError(400, 'BAD_PARAMETER', 'parkTo must be a string');
      return restError(400, 'NOT_SUPPORTED', 'the simulator does not implement park');
    }),
    {
      // Pick-up, played as a redirect of the other user's ringing call to this user, answered at once.
      method: 'POST', path: '/telephony/devices/:deviceId/pickup',
      handle: (r) => {
        const ref = need(r, 'otherCallRef');
        const other = need(r, 'otherPhoneNumber');
        if (!ref || !other) return missing(ref ? 'otherPhoneNumber' : 'otherCallRef');
        const me = pbx.user(r.user);
        return act(() => {
          pbx.redirect(ref, other, me?.number ?? r.params.deviceId);
          pbx.answer(ref, r.user, r.params.deviceId);
        });
      },
    },
  ];
}

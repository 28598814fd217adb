/**
 * ALE REST requests over the session: `path` is relative to the service base (`/telephony/calls`), the session
 * cookie and (administrator sessions) `loginName` are added, every request has a deadline, `RestErrorInfo` bodies
 * become `PbxApiError`s, and a refused session is renewed once before the request is retried.
 */
import { PbxApiError } from '../../errors';
import { describe } from './http';
import type { HttpMethod, RequestOptions } from './operations/types';
import { AleSession, apiError } from './session';

/**
 * A 401, or a 403 that says the session (not the rights) is the problem. A 403 with no body says nothing of the
 * kind: read as an expired session it made a client log in 180 times a second.
 */
export function isInvalidSession(err: unknown): boolean {
  if (!(err instanceof PbxApiError)) return false;
  return err.status === 401 || (err.status === 403 && err.type === 'INVALID_SESSION');
}

export class AleRest {
  constructor(
    readonly session: AleSession,
    private readonly o: { timeoutMs: number; defaultUser?: string },
  ) {}

  async request<T = unknown>(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<T> {
    await this.session.ensure();
    const generation = this.session.generation;
    try {
      return await this.once<T>(method, path, opts);
    } catch (err) {
      if (!isInvalidSession(err)) throw err;
      await this.session.renew(generation);
      return this.once<T>(method, path, opts);
    }
  }

  private async once<T>(method: HttpMethod, path: string, opts: RequestOptions): Promise<T> {
    const url = new URL(this.session.baseUrl + (path.startsWith('/') ? path : `/${path}`));
    const user = opts.user ?? this.o.defaultUser;
    if (this.session.admin && user && !opts.noLoginName) url.searchParams.set('loginName', user);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue;
      // ALE flags such as `withUserPwd` are sent without a value.
      if (v === true && /^(withUserPwd|onlyACD|onlyWithExtLogin)$/.test(k)) url.search += `${url.search ? '&' : '?'}${k}`;
      else url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { ...this.session.authHeaders(), Accept: 'application/json', ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? JSON.stringify(opts.body) : JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    } else if (method === 'POST') {
      body = '';
      headers['Content-Type'] = 'application/json';
    }
    const r = await this.session.http.request(url.toString(), { method, headers, body, timeoutMs: opts.timeoutMs ?? this.o.timeoutMs });
    if (r.status < 200 || r.status >= 300) throw apiError(r, describe(method, url.toString()));
    if (r.status === 204 || r.text.trim() === '') return undefined as T;
    try {
      return JSON.parse(r.text) as T;
    } catch {
      // Some actions answer a bare string (a new call reference, 201).
      return r.text as T;
    }
  }
}

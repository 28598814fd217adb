/**
 * The ALE client's HTTP: the core's one client (connection/http.ts) with ALE's choices. One client per connection:
 * pooled keep-alive connections for REST, a connection of its own for the event channel, the TLS choice for both,
 * and the cookies the servers set replayed per origin (load balancers and HA pairs set affinity cookies beside
 * `AlcUserId`, as the O2G SDK's cookie jar keeps them). Errors name the method and path only: query strings carry
 * subscription ids, headers carry credentials.
 */
import { HttpClient as CoreHttpClient, type Scrubber } from '../../connection/http';
import type { TlsOptions } from '../../connection/types';

export { describe, type HttpRequestOptions, type HttpResult } from '../../connection/http';

/** REST answers (call logs, directories) can be long; a cap still bounds what a hostile server costs. */
const ALE_MAX_BYTES = 32 << 20;

export class HttpClient extends CoreHttpClient {
  constructor(tls: TlsOptions = {}, secrets?: Scrubber) {
    super({ tls, keepAlive: true, cookies: true, maxBytes: ALE_MAX_BYTES, ...(secrets ? { secrets } : {}) });
  }
}

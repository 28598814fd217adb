/**
 * Large administrator subscriptions: the selectors of a subscription request with their `ids` split into slices
 * of at most `extra.subscriptionIdsPerSelector` logins (same package per slice), for a server that limits the size
 * of a selector. Neither the OpenTouch REST reference nor the O2G wire notes document such a limit (the reference's
 * only refusal is "exceeded license check", which no split avoids), so the default is no split.
 */
import { chunk } from '../../connection/concurrency';

interface Selector {
  ids?: string[];
  names: string[];
}

/** The setting read as a slice size, or undefined (no split). */
export function idsPerSelector(extra: Record<string, unknown> | undefined): number | undefined {
  const v = extra?.subscriptionIdsPerSelector;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** The same request with every selector of more than `size` ids split into several; the body itself when none is. */
export function splitSelectors(body: Record<string, unknown>, size: number | undefined): Record<string, unknown> {
  const filter = body.filter as { selectors?: Selector[] } | undefined;
  const selectors = filter?.selectors;
  if (size === undefined || !Array.isArray(selectors) || !selectors.some((s) => (s.ids?.length ?? 0) > size)) return body;
  const out: Selector[] = [];
  for (const s of selectors) {
    if (!s.ids || s.ids.length <= size) out.push(s);
    else for (const ids of chunk(s.ids, size)) out.push({ ...s, ids });
  }
  return { ...body, filter: { ...filter, selectors: out } };
}

import type { WarmResult } from '../control/contract.js';
import { toCreddError } from '../errors.js';
import { isoSeconds, type Served } from '../engine/served.js';

/**
 * Waits up to `waitMs` for `fetch` (a profile's credentials, being obtained or already cached), so
 * the first request an SDK makes for that profile is answered from memory. The fetch is never
 * cancelled: it fills the cache even when the wait runs out.
 */
export async function warmWithin(profile: string, fetch: Promise<Served>, waitMs: number): Promise<WarmResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.max(0, waitMs))));
  try {
    const out = await Promise.race([fetch, late]);
    if (out === 'late') {
      fetch.catch(() => undefined);
      return { profile, ready: false, pending: true };
    }
    return { profile, ready: true, expiration: isoSeconds(out.expiresAt) };
  } catch (err) {
    const e = toCreddError(err);
    return { profile, ready: false, error: { code: e.code, message: e.message } };
  } finally {
    clearTimeout(timer);
  }
}

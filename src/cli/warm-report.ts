import type { CliContext } from './context.js';
import { timeLeft } from './time-left.js';

/**
 * Asks the daemon to fetch `profile`'s credentials and wait up to `waitMs`, then says how it went:
 * "prod: credentials ready, 59m left", or why not. Returns whether they are in hand.
 */
export async function warmAndReport(ctx: CliContext, profile: string | undefined, waitMs: number): Promise<boolean> {
  const w = await ctx.client.post('/warm', { ...(profile ? { profile } : {}), waitMs });
  if (w.ready) {
    ctx.out(`${w.profile}: credentials ready, ${timeLeft(w.expiration!, ctx.now())}\n`);
    return true;
  }
  if (w.pending)
    ctx.err(`${w.profile}: no credentials yet after ${Math.round(waitMs / 1000)} s (STS has not answered); credd keeps trying: see \`credd status\`.\n`);
  else ctx.err(`${w.profile}: no credentials: ${w.error?.message ?? 'unknown error'}\n`);
  return false;
}

/** Starts fetching `profile` without waiting (`credd env NAME`); a daemon that is not running is no error here. */
export async function warmQuietly(ctx: CliContext, profile: string): Promise<void> {
  try {
    await ctx.client.post('/warm', { profile, waitMs: 0 }, { timeoutMs: 500 });
  } catch {
    // no daemon yet (a login shell), or an unknown profile: `credd env` still prints its lines
  }
}

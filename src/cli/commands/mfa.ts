import { requireMfaSerial } from '../../errors.js';
import { askCode } from '../ask-code.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';
import { warmAndReport } from '../warm-report.js';

/** How long `credd mfa` waits for the credentials of the profile it points at. */
const MFA_WARM_MS = 10_000;

/** `credd mfa [CODE] [--profile NAME]` */
const mfa: Command = async (ctx, args) => {
  const { values, positionals } = parse('mfa', args, { profile: { type: 'string', short: 'p' } }, 1);
  let code = positionals[0];
  if (code === undefined) {
    const info = await ctx.client.get('/mfa', { params: { profile: values.profile } });
    requireMfaSerial(info);
    code = await askCode(ctx, info);
  }
  const out = await ctx.client.post('/mfa', { code, ...(values.profile ? { profile: values.profile } : {}) });
  ctx.out(`MFA session for ${out.source} started: valid until ${out.expiration} (${timeLeft(out.expiration, ctx.now())}).\n`);
  // Warm what the code was for, so the first SDK request is not cold; the session itself is in hand either way.
  await warmAndReport(ctx, out.profile, MFA_WARM_MS).catch(() => false);
  return 0;
};
export default mfa;

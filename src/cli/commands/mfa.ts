import { requireMfaSerial } from '../../errors.js';
import { askCode } from '../ask-code.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';

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
  return 0;
};
export default mfa;

import { BadRequestError } from '../../errors.js';
import { askCode, type MfaInfo } from '../ask-code.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';

/** `credd mfa [CODE] [--profile NAME]` */
const mfa: Command = async (ctx, args) => {
  const { values, positionals } = parse('mfa', args, { profile: { type: 'string', short: 'p' } }, 1);
  let code = positionals[0];
  if (code === undefined) {
    const query = values.profile ? `?profile=${encodeURIComponent(values.profile)}` : '';
    const info = await ctx.client.get<MfaInfo>(`/mfa${query}`);
    if (!info.mfaSerial) throw new BadRequestError(`Profile "${info.profile}" needs no MFA code (no mfa_serial in its chain).`);
    code = await askCode(ctx, info);
  }
  const out = await ctx.client.post<{ profile: string; source: string; expiration: string }>('/mfa', { code, ...(values.profile ? { profile: values.profile } : {}) });
  ctx.out(`MFA session for ${out.source} started: valid until ${out.expiration} (${timeLeft(out.expiration, ctx.now())}).\n`);
  return 0;
};
export default mfa;

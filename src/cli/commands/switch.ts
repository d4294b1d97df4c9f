import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { BadRequestError } from '../../errors.js';
import { warmAndReport } from '../warm-report.js';

/** Default bound of `credd switch`'s wait for the credentials. */
export const SWITCH_WAIT_SECONDS = 10;

/**
 * `credd switch NAME [--no-wait]`: makes NAME active, then waits (up to 10 s) until its
 * credentials are in hand, so the first SDK request for it is answered from memory (the AWS CLI v2
 * makes a single IMDS attempt with a 1 s timeout). Exit 1 when they are not, though the switch stands.
 */
const switchCommand: Command = async (ctx, args) => {
  const { values, positionals } = parse('switch', args, { 'no-wait': { type: 'boolean' } }, 1);
  const name = positionals[0];
  if (!name) throw new BadRequestError('Name the profile: credd switch NAME (see `credd profiles`).');
  const out = await ctx.client.post('/switch', { profile: name });
  ctx.out(`Active profile: ${out.profile}\n`);
  if (out.needsMfa) {
    ctx.err(`${out.profile} needs an MFA session: run \`credd mfa\`.\n`);
    return 0;
  }
  if (values['no-wait']) return 0;
  return (await warmAndReport(ctx, out.profile, SWITCH_WAIT_SECONDS * 1000)) ? 0 : 1;
};
export default switchCommand;

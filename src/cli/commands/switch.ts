import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { BadRequestError } from '../../errors.js';

/** `credd switch NAME` */
const switchCommand: Command = async (ctx, args) => {
  const { positionals } = parse('switch', args, {}, 1);
  const name = positionals[0];
  if (!name) throw new BadRequestError('Name the profile: credd switch NAME (see `credd profiles`).');
  const out = await ctx.client.post('/switch', { profile: name });
  ctx.out(`Active profile: ${out.profile}\n`);
  if (out.needsMfa) ctx.err(`${out.profile} needs an MFA session: run \`credd mfa\`.\n`);
  return 0;
};
export default switchCommand;

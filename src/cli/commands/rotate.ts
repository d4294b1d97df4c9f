import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/**
 * `credd rotate PROFILE`: the daemon rotates the profile's access key with the MFA session
 * it holds. The CLI sends only the profile name; no key crosses the socket.
 */
const rotate: Command = async (ctx, args) => {
  const { positionals } = parse('rotate', args, {}, 1);
  const profile = positionals[0];
  if (!profile) throw new BadRequestError('credd rotate needs the PROFILE that holds the long-term keys (see `credd rotate --help`).');
  const out = await ctx.client.post('/rotate', { profile });
  ctx.out(`Rotated ${out.profile}: the new key ${out.newKeyId} is stored in the ${out.where}, and the old key ${out.oldKeyId} is deleted.\n`);
  return 0;
};
export default rotate;

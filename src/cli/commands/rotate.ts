import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd rotate` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'rotate',
  args: 'PROFILE',
  positionals: 1,
  group: 'Keys',
  summary: 'new access key with the MFA session held, old one deleted',
  about: `Rotates PROFILE's long-term access key in the daemon, with the MFA session it already
holds (no second code): CreateAccessKey; retries GetCallerIdentity with the new key until
it works (up to 10 tries, 2 s apart); stores it where the old one was (keyring or
credentials file); DeleteAccessKey of the old one. Any failure leaves a working key in
place and says which, and what is left to clean up. Refused when the IAM user already
has two keys (IAM's limit), naming both. No key crosses the command line or the socket.
`,
} as const satisfies CommandSpec;

/**
 * `credd rotate PROFILE`: the daemon rotates the profile's access key with the MFA session
 * it holds. The CLI sends only the profile name; no key crosses the socket.
 */
const rotate: Command = async (ctx, args) => {
  const { positionals } = parse(spec, args);
  const profile = positionals[0];
  if (!profile) throw new BadRequestError('credd rotate needs the PROFILE that holds the long-term keys (see `credd rotate --help`).');
  const out = await ctx.client.post('/rotate', { profile });
  ctx.out(`Rotated ${out.profile}: the new key ${out.newKeyId} is stored in the ${out.where}, and the old key ${out.oldKeyId} is deleted.\n`);
  return 0;
};
export default rotate;

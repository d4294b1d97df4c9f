import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd credential-process` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'credential-process',
  args: 'NAME',
  positionals: 1,
  group: 'Everyday',
  summary: 'print credential_process JSON for NAME',
  about: `Prints NAME's credentials as credential_process JSON (Version 1), so that a profile
with credential_process = credd credential-process NAME works in any tool.
`,
} as const satisfies CommandSpec;

/** `credd credential-process NAME`: the Version 1 JSON the SDKs' credential_process reads. */
const credentialProcess: Command = async (ctx, args) => {
  const { positionals } = parse(spec, args);
  const name = positionals[0];
  if (!name) throw new BadRequestError('Name the profile: credd credential-process NAME.');
  const c = await ctx.client.get('/credentials/:name', { params: { name } });
  ctx.out(
    `${JSON.stringify({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token, Expiration: c.Expiration })}\n`,
  );
  return 0;
};
export default credentialProcess;

import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd credential-process NAME`: the Version 1 JSON the SDKs' credential_process reads. */
const credentialProcess: Command = async (ctx, args) => {
  const { positionals } = parse('credential-process', args, {}, 1);
  const name = positionals[0];
  if (!name) throw new BadRequestError('Name the profile: credd credential-process NAME.');
  const c = await ctx.client.get('/credentials/:name', { params: { name } });
  ctx.out(`${JSON.stringify({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token, Expiration: c.Expiration })}\n`);
  return 0;
};
export default credentialProcess;

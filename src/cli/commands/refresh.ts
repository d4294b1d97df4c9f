import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd refresh [NAME]` */
const refresh: Command = async (ctx, args) => {
  const { positionals } = parse('refresh', args, {}, 1);
  const out = await ctx.client.post('/refresh', positionals[0] ? { profile: positionals[0] } : {});
  ctx.out(`${out.profile}: new credentials valid until ${out.expiration}\n`);
  return 0;
};
export default refresh;

import { ConfigError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd reload` */
const reload: Command = async (ctx, args) => {
  parse('reload', args, {});
  const out = await ctx.client.post<{ ok: boolean; error?: string }>('/reload');
  if (!out.ok) throw new ConfigError(`${out.error ?? 'the AWS config did not load'} (the daemon keeps the last good config)`);
  ctx.out('AWS config reloaded\n');
  return 0;
};
export default reload;

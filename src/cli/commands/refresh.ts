import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd refresh` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'refresh',
  args: '[NAME]',
  positionals: 1,
  group: 'Everyday',
  summary: 'get new credentials now',
  about: `Gets new credentials for NAME (default: the active profile) now.
`,
} as const satisfies CommandSpec;

/** `credd refresh [NAME]` */
const refresh: Command = async (ctx, args) => {
  const { positionals } = parse(spec, args);
  const out = await ctx.client.post('/refresh', positionals[0] ? { profile: positionals[0] } : {});
  ctx.out(`${out.profile}: new credentials valid until ${out.expiration}\n`);
  return 0;
};
export default refresh;

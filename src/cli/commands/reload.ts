import { ConfigError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd reload`: the AWS files are applied at once; changed settings are named for a restart. */
const reload: Command = async (ctx, args) => {
  parse('reload', args, {});
  const out = await ctx.client.post('/reload');
  if (!out.ok) throw new ConfigError(`${out.error ?? 'the AWS config did not load'} (the daemon keeps the last good config)`);
  const settings = out.settings ?? { changed: [] };
  if (settings.error) throw new ConfigError(`AWS config reloaded, but the settings file is wrong: ${settings.error} (the daemon keeps the settings it started with)`);
  ctx.out('AWS config reloaded\n');
  if (settings.changed.length) ctx.out(`settings changed (${settings.changed.join(', ')}): restart the daemon to apply them (credd stop && credd start, or systemctl --user restart credd)\n`);
  return 0;
};
export default reload;

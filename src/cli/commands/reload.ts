import { ConfigError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd reload` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'reload',
  group: 'Everyday',
  summary: 're-read the AWS config files',
  about: `Re-reads the AWS config and credentials files. A file that does not parse is
reported and the last good config is kept. Also re-reads the settings file and
names the keys that changed: settings apply when the daemon (re)starts.
`,
} as const satisfies CommandSpec;

/** `credd reload`: the AWS files are applied at once; changed settings are named for a restart. */
const reload: Command = async (ctx, args) => {
  parse(spec, args);
  const out = await ctx.client.post('/reload');
  if (!out.ok) throw new ConfigError(`${out.error ?? 'the AWS config did not load'} (the daemon keeps the last good config)`);
  const settings = out.settings ?? { changed: [] };
  if (settings.error)
    throw new ConfigError(`AWS config reloaded, but the settings file is wrong: ${settings.error} (the daemon keeps the settings it started with)`);
  ctx.out('AWS config reloaded\n');
  if (settings.changed.length)
    ctx.out(
      `settings changed (${settings.changed.join(', ')}): restart the daemon to apply them (credd stop && credd start, or systemctl --user restart credd)\n`,
    );
  return 0;
};
export default reload;

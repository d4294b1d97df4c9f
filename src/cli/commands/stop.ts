import { socketAlive } from '../../daemon/single-instance.js';
import { DaemonNotRunningError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd stop` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'stop',
  group: 'Daemon',
  summary: 'stop the daemon gracefully',
  about: `Stops the running daemon gracefully. Sessions stay on disk for the next start.
`,
} as const satisfies CommandSpec;

/** `credd stop`: asks the daemon to stop and waits until its socket is gone. */
const stop: Command = async (ctx, args) => {
  parse(spec, args);
  try {
    await ctx.client.post('/stop');
  } catch (err) {
    if (err instanceof DaemonNotRunningError) {
      ctx.out('credd is not running\n');
      return 0;
    }
    throw err;
  }
  for (let i = 0; i < 100 && (await socketAlive(ctx.paths.socket)); i++) await new Promise((r) => setTimeout(r, 100));
  ctx.out('credd stopped\n');
  return 0;
};
export default stop;

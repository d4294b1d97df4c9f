import { socketAlive } from '../../daemon/single-instance.js';
import { DaemonNotRunningError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd stop`: asks the daemon to stop and waits until its socket is gone. */
const stop: Command = async (ctx, args) => {
  parse('stop', args, {});
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

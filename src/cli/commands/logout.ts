import { DaemonNotRunningError } from '../../errors.js';
import { createStateStore } from '../../state/store.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd logout`: through the daemon, or straight on disk when none runs. */
const logout: Command = async (ctx, args) => {
  parse('logout', args, {});
  try {
    await ctx.client.post('/logout');
  } catch (err) {
    if (!(err instanceof DaemonNotRunningError)) throw err;
    createStateStore({ file: ctx.paths.stateFile, now: ctx.now, warn: () => undefined }).erase();
  }
  ctx.out('Logged out: sessions and credentials erased.\n');
  return 0;
};
export default logout;

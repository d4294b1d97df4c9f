import { DaemonNotRunningError } from '../../errors.js';
import { createStateStore } from '../../state/store.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/**
 * `credd logout [SESSION]`: through the daemon, or straight on disk when none runs. With SESSION, signs
 * out of that IAM Identity Center session only (portal logout, cache file removed, as `aws sso logout`);
 * without, drops everything, every SSO session included.
 */
const logout: Command = async (ctx, args) => {
  const { positionals } = parse('logout', args, {}, 1);
  if (positionals[0]) {
    const r = await ctx.client.post('/sso/logout', { session: positionals[0] });
    ctx.out(r.signedOut.length ? `Signed out of "${positionals[0]}".\n` : `"${positionals[0]}" was not signed in.\n`);
    return 0;
  }
  try {
    await ctx.client.post('/sso/logout', {});
    await ctx.client.post('/logout');
  } catch (err) {
    if (!(err instanceof DaemonNotRunningError)) throw err;
    createStateStore({ file: ctx.paths.stateFile, now: ctx.now, warn: () => undefined }).erase();
  }
  ctx.out('Logged out: sessions and credentials erased.\n');
  return 0;
};
export default logout;

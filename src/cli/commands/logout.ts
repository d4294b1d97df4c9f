import { DaemonNotRunningError } from '../../errors.js';
import { createStateStore } from '../../state/store.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd logout` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'logout',
  args: '[SESSION]',
  positionals: 1,
  group: 'Everyday',
  summary: 'forget every session and credential (SESSION: sign out of it only)',
  about: `Without SESSION: drops every source session and assumed-role credential, in memory and
on disk, forgets the active profile, and signs out of every IAM Identity Center session
(the portal's logout, and the cache file in ~/.aws/sso/cache removed, as aws sso logout).
With SESSION (an [sso-session] name, or a legacy SSO profile): signs out of that one only.
`,
} as const satisfies CommandSpec;

/**
 * `credd logout [SESSION]`: through the daemon, or straight on disk when none runs. With SESSION, signs
 * out of that IAM Identity Center session only (portal logout, cache file removed, as `aws sso logout`);
 * without, drops everything, every SSO session included.
 */
const logout: Command = async (ctx, args) => {
  const { positionals } = parse(spec, args);
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

import type { DaemonStatus } from '../../control/contract.js';
import { DaemonNotRunningError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { ssoLines } from '../sso/status-lines.js';
import { timeLeft } from '../time-left.js';
import { type CommandSpec, JSON_OPTION } from '../command-spec.js';

/** What `credd status` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'status',
  options: {
    json: JSON_OPTION,
  },
  group: 'Daemon',
  summary: 'what the daemon serves; exit 3 when it is not running',
  about: `Shows whether the daemon runs, its endpoint, the active profile, the source sessions
with their expiry, the profiles being served and the last errors. Exit 3 when no
daemon runs.
`,
} as const satisfies CommandSpec;

/** `credd status [--json]`: exit 3 when no daemon runs. */
const status: Command = async (ctx, args) => {
  const { values } = parse(spec, args);
  let s: DaemonStatus;
  try {
    s = await ctx.client.get('/status');
  } catch (err) {
    if (err instanceof DaemonNotRunningError && values.json) {
      ctx.out(`${JSON.stringify({ running: false })}\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (values.json) {
    ctx.out(`${JSON.stringify(s, null, 2)}\n`);
    return 0;
  }
  const now = ctx.now();
  const lines = [`credd ${s.version} running (pid ${s.pid}) at ${s.endpoint}`, `active profile: ${s.activeProfile ?? '(none: run `credd switch NAME`)'}`];
  if (s.configError) lines.push(`config error: ${s.configError}`);
  if (s.security) {
    const peer = s.security.peerCheck;
    lines.push(`endpoint security: IMDS ${s.security.imds ? 'on' : 'off'}; peer-user check ${peer.enabled ? 'on' : `unavailable: ${peer.detail}`}`);
    if (s.security.port) lines.push(`warning: ${s.security.port}`);
  }
  lines.push(s.sessions.length ? 'source sessions:' : 'source sessions: none (run `credd mfa`)');
  for (const x of s.sessions)
    lines.push(`  ${x.source}${x.mfaSerial ? ` (${x.mfaSerial})` : ''}: ${x.valid ? `expires ${x.expiration} (${timeLeft(x.expiration, now)})` : 'expired'}`);
  lines.push(...ssoLines(s.ssoSessions ?? [], now));
  if (s.profiles.length) lines.push('served profiles:');
  for (const p of s.profiles)
    lines.push(
      `  ${p.name}: expires ${p.expiration} (${timeLeft(p.expiration, now)})${p.retryAt ? `, retrying at ${p.retryAt}` : p.nextRefresh ? `, next refresh ${p.nextRefresh}` : ''}`,
    );
  for (const e of s.errors) lines.push(`last error for ${e.name}: ${e.message}`);
  for (const w of s.warnings ?? []) lines.push(`warning: ${w}`);
  ctx.out(`${lines.join('\n')}\n`);
  return 0;
};
export default status;

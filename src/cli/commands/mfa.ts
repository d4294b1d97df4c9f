import { requireMfaSerial } from '../../errors.js';
import { askCode } from '../ask-code.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';
import { warmAndReport } from '../warm-report.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd mfa` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'mfa',
  args: '[CODE]',
  positionals: 1,
  options: {
    profile: { type: 'string', short: 'p', value: 'NAME', help: 'the session NAME needs (default: the active profile)' },
  },
  group: 'Everyday',
  summary: 'start the MFA source session (prompts when no CODE)',
  about: `Sends an MFA code to the daemon, which starts (or renews) the source session that the
active profile (or NAME) needs; every profile built on that session is then served
without another code. Without CODE, runs the profile's mfa_process if set, else asks
on the terminal (hidden input), else reads a line from standard input. mfa_process
is read from your AWS config by this command, never taken from the daemon.
A rejected code exits non-zero and keeps the previous session. Then waits up to 10 s
for the profile's credentials and says when they are ready.
`,
} as const satisfies CommandSpec;

/** How long `credd mfa` waits for the credentials of the profile it points at. */
const MFA_WARM_MS = 10_000;

/** `credd mfa [CODE] [--profile NAME]` */
const mfa: Command = async (ctx, args) => {
  const { values, positionals } = parse(spec, args);
  let code = positionals[0];
  if (code === undefined) {
    const info = await ctx.client.get('/mfa', { params: { profile: values.profile } });
    requireMfaSerial(info);
    code = await askCode(ctx, info);
  }
  const out = await ctx.client.post('/mfa', { code, ...(values.profile ? { profile: values.profile } : {}) });
  ctx.out(`MFA session for ${out.source} started: valid until ${out.expiration} (${timeLeft(out.expiration, ctx.now())}).\n`);
  // Warm what the code was for, so the first SDK request is not cold; the session itself is in hand either way.
  await warmAndReport(ctx, out.profile, MFA_WARM_MS).catch(() => false);
  return 0;
};
export default mfa;

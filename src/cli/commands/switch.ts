import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { BadRequestError } from '../../errors.js';
import { warmAndReport } from '../warm-report.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd switch` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'switch',
  args: 'NAME',
  positionals: 1,
  options: {
    'no-wait': { type: 'boolean', help: 'do not wait for the credentials' },
  },
  group: 'Everyday',
  summary: 'make NAME the active profile, wait for its credentials',
  about: `Makes NAME the active profile: what GET /creds and IMDS serve. Survives restarts.
Then waits (up to 10 s; not with --no-wait) until NAME's credentials are
in hand, so the first request of any SDK is answered at once:
"prod: credentials ready, 59m left". Exit 1 when they are not (the switch stands,
and the message says why). Says so when an MFA code is needed first.
`,
} as const satisfies CommandSpec;

/** Default bound of `credd switch`'s wait for the credentials. */
export const SWITCH_WAIT_SECONDS = 10;

/**
 * `credd switch NAME [--no-wait]`: makes NAME active, then waits (up to 10 s) until its
 * credentials are in hand, so the first SDK request for it is answered from memory (the AWS CLI v2
 * makes a single IMDS attempt with a 1 s timeout). Exit 1 when they are not, though the switch stands.
 */
const switchCommand: Command = async (ctx, args) => {
  const { values, positionals } = parse(spec, args);
  const name = positionals[0];
  if (!name) throw new BadRequestError('Name the profile: credd switch NAME (see `credd profiles`).');
  const out = await ctx.client.post('/switch', { profile: name });
  ctx.out(`Active profile: ${out.profile}\n`);
  if (out.needsMfa) {
    ctx.err(`${out.profile} needs an MFA session: run \`credd mfa\`.\n`);
    return 0;
  }
  if (values['no-wait']) return 0;
  return (await warmAndReport(ctx, out.profile, SWITCH_WAIT_SECONDS * 1000)) ? 0 : 1;
};
export default switchCommand;

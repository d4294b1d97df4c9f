import type { ConsoleAnswer, ConsoleRequest } from '../../control/contract.js';
import { askCode } from '../ask-code.js';
import type { CliContext, Command } from '../context.js';
import { openBrowser } from '../open-browser.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd console` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'console',
  args: '[NAME]',
  positionals: 1,
  options: {
    stdout: { type: 'boolean', help: 'print the URL instead of opening it' },
    destination: { type: 'string', short: 'd', value: 'D', help: 'the page: a service (s3), a console path (/s3/buckets) or an https URL' },
    long: { type: 'boolean', help: 'a session of up to 12 h, with a new MFA code (see above)' },
    'logout-first': { type: 'boolean', help: 'log the browser out of the console first (to open another account)' },
  },
  group: 'Everyday',
  summary: 'open the AWS console signed in as NAME',
  about: `Opens the AWS Management Console signed in as NAME (default: the active profile), with
the credentials the daemon holds: no MFA code is asked for. The daemon asks the
partition's sign-in endpoint (aws, aws-cn, aws-us-gov; CREDD_SIGNIN_URL overrides it)
for a sign-in token and builds the login URL. How long the console session lasts:
  a role reached from the MFA session (role chaining): as long as those role
    credentials, at most 1 h; no SessionDuration is sent for them;
  --long: the role is assumed straight from the long-term keys with a new MFA code
    (prompted, or from mfa_process), for up to 12 h where the role allows it;
  a profile without a role: GetFederationToken from the long-term keys, 12 h, and
    this session carries no MFA context.
--stdout prints the URL instead of opening it. Otherwise the browser ($BROWSER, else
xdg-open or open) gets a private page (0600, deleted after a minute) that forwards to
it: the URL is a bearer credential for 15 minutes and is never logged or put in argv.
`,
} as const satisfies CommandSpec;

/** One line on stderr that says how long the console session lasts and why. */
export function lifetimeNote(a: ConsoleAnswer, now: number): string {
  const until = `until ${a.endsAt} (${timeLeft(a.endsAt, now)})`;
  switch (a.kind) {
    case 'role-chained':
      return `Console for ${a.profile} ${until}: it lasts only as long as the role credentials from the MFA session (role chaining, at most 1 h). For up to 12 h: credd console ${a.profile} --long.\n`;
    case 'role':
      return `Console for ${a.profile} ${until}: it lasts as long as the role credentials it was made from. For up to 12 h: credd console ${a.profile} --long.\n`;
    case 'role-long':
      return `Console for ${a.profile} ${until}: the role was assumed from the long-term keys with a new MFA code, for ${a.sessionDuration! / 3600} h.\n`;
    case 'federation-token':
      return `Console for ${a.profile} ${until}, as federated user ${a.federatedUser} (GetFederationToken: ${a.profile} has no role). This session carries no MFA context: whatever requires aws:MultiFactorAuthPresent is denied.\n`;
  }
}

/** `credd console [PROFILE] [--stdout] [--destination D] [--long] [--logout-first]` */
const consoleCommand: Command = async (ctx: CliContext, args) => {
  const { values, positionals } = parse(spec, args);
  const profile = positionals[0];
  const req: ConsoleRequest = { stdout: Boolean(values.stdout) };
  if (profile !== undefined) req.profile = profile;
  if (values.destination !== undefined) req.destination = values.destination;
  if (values['logout-first']) req.logoutFirst = true;
  if (ctx.env.CREDD_SIGNIN_URL) req.signinUrl = ctx.env.CREDD_SIGNIN_URL;
  if (values.long) {
    req.long = true;
    const info = await ctx.client.get('/mfa', { params: { profile } });
    if (info.mfaSerial) req.code = await askCode(ctx, info, 'drop --long');
  }
  const answer = await ctx.client.post('/console', req);
  ctx.err(lifetimeNote(answer, ctx.now()));
  // The URL is a bearer credential for 15 minutes: printed only when asked for, else opened through a private page.
  if (answer.url !== undefined) ctx.out(`${answer.url}\n`);
  else await openBrowser(ctx.env, ctx.platform, answer.page!);
  return 0;
};
export default consoleCommand;

import type { ConsoleAnswer, ConsoleRequest } from '../../control/contract.js';
import { askCode } from '../ask-code.js';
import type { CliContext, Command } from '../context.js';
import { openBrowser } from '../open-browser.js';
import { parse } from '../parse.js';
import { timeLeft } from '../time-left.js';

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
  const { values, positionals } = parse('console', args, {
    stdout: { type: 'boolean' },
    destination: { type: 'string', short: 'd' },
    long: { type: 'boolean' },
    'logout-first': { type: 'boolean' },
  }, 1);
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

import type { CliContext, Command } from '../context.js';
import { parse } from '../parse.js';
import { openBrowser } from '../open-browser.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd login` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'login',
  args: '[SESSION]',
  positionals: 1,
  options: {
    'device-code': { type: 'boolean', help: 'for SSH and containers: print a URL and a code to confirm there, then wait' },
    'no-browser': { type: 'boolean', help: 'print the sign-in URL instead of opening a browser' },
  },
  group: 'IAM Identity Center (SSO)',
  summary: 'sign in once for every SSO profile of SESSION',
  about: `Signs in to an IAM Identity Center session ([sso-session SESSION] in your AWS config;
without SESSION, the active profile's session, or the only one). The daemon runs the
sign-in, one per session however many callers ask, and stores the token in
~/.aws/sso/cache, where the AWS CLI and every SDK find it too. Requests for credentials
never start a sign-in: they fail with LoginRequired until you run this.

By default: authorization code with PKCE. Opens $BROWSER (else xdg-open or open) on the
sign-in page, which comes back to http://127.0.0.1:PORT/oauth/callback.
`,
} as const satisfies CommandSpec;

/** Deps of `credd login`, so tests can see (and stop) the browser launch. */
export interface LoginDeps {
  open(url: string, ctx: CliContext): Promise<boolean>;
}

/**
 * `credd login [SESSION] [--device-code] [--no-browser]`: the daemon runs the sign-in (one per
 * session, however many callers); this command shows the URL (and the user code), opens the
 * browser unless told not to or another sign-in already did, and waits until it is done.
 */
export function createLoginCommand(deps: LoginDeps): Command {
  return async (ctx, args) => {
    const { values, positionals } = parse(spec, args);
    const body = { ...(positionals[0] ? { session: positionals[0] } : {}), ...(values['device-code'] ? { device: true } : {}) };
    const s = await ctx.client.post('/sso/login', body);
    if (s.joined) ctx.out(`A sign-in to "${s.session}" is already under way; waiting for it.\n`);
    if (s.mode === 'device') {
      ctx.out(`To sign in to "${s.session}", open ${s.url}\nand confirm this code: ${s.userCode}\n`);
    } else if (s.joined || values['no-browser'] || !(await deps.open(s.url, ctx))) {
      ctx.out(`To sign in to "${s.session}", open this URL in a browser on this machine:\n${s.url}\n`);
    } else {
      ctx.out(`Opened the browser to sign in to "${s.session}". If it did not open, visit:\n${s.url}\n`);
    }
    for (;;) {
      const r = await ctx.client.post('/sso/login/wait', { session: s.cacheId, waitMs: 20000 });
      if (r.done) break;
    }
    ctx.out(`Signed in to "${s.session}".\n`);
    return 0;
  };
}

/** The browser `credd console` opens too; false when it cannot start, so the URL is printed instead. */
export default createLoginCommand({
  open: (url, ctx) =>
    openBrowser(ctx.env, ctx.platform, url).then(
      () => true,
      () => false,
    ),
});

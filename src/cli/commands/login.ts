import type { CliContext, Command } from '../context.js';
import { parse } from '../parse.js';
import { openBrowser } from '../open-browser.js';

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
    const { values, positionals } = parse('login', args, { 'device-code': { type: 'boolean' }, 'no-browser': { type: 'boolean' } }, 1);
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
export default createLoginCommand({ open: (url, ctx) => openBrowser(ctx.env, ctx.platform, url).then(() => true, () => false) });

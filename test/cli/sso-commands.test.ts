import t from 'tap';
import { createLoginCommand } from '../../src/cli/commands/login.js';
import { ssoLines } from '../../src/cli/sso/status-lines.js';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const started = (extra: object = {}) => ({
  session: 'corp',
  cacheId: 'corp',
  mode: 'pkce',
  url: 'http://127.0.0.1:1/authorize?x=1',
  joined: false,
  expiresAt: '2030-01-01T12:10:00Z',
  ...extra,
});

t.test('credd login: opens the browser, waits until done', async (t) => {
  let waits = 0;
  const opened: string[] = [];
  const cli = fakeCliContext({ routes: { 'POST /sso/login': () => started(), 'POST /sso/login/wait': () => ({ done: ++waits > 1 }) } });
  const login = createLoginCommand({ open: async (url) => (opened.push(url), true) });
  t.equal(await login(cli.ctx, []), 0);
  t.same(opened, ['http://127.0.0.1:1/authorize?x=1']);
  t.equal(cli.stdout(), 'Opened the browser to sign in to "corp". If it did not open, visit:\nhttp://127.0.0.1:1/authorize?x=1\nSigned in to "corp".\n');
  t.same(
    cli.calls.map((c) => [c.path, c.body]),
    [
      ['/sso/login', {}],
      ['/sso/login/wait', { session: 'corp', waitMs: 20000 }],
      ['/sso/login/wait', { session: 'corp', waitMs: 20000 }],
    ],
  );
});

t.test('credd login --no-browser, a browser that cannot start, a joined sign-in: the URL, no launch', async (t) => {
  for (const [args, start, canOpen] of [
    [['corp', '--no-browser'], started(), true],
    [[], started(), false],
    [[], started({ joined: true }), true],
  ] as const) {
    const opened: string[] = [];
    const cli = fakeCliContext({ routes: { 'POST /sso/login': () => start, 'POST /sso/login/wait': () => ({ done: true }) } });
    t.equal(await createLoginCommand({ open: async (u) => (opened.push(u), canOpen) })(cli.ctx, [...args]), 0);
    t.match(cli.stdout(), 'open this URL in a browser on this machine:\nhttp://127.0.0.1:1/authorize?x=1\n');
    if (start.joined || (args as readonly string[]).includes('--no-browser')) t.same(opened, [], 'no launch');
    if (start.joined) t.match(cli.stdout(), 'already under way');
  }
});

t.test('credd login --device-code: the verification URL and the user code', async (t) => {
  const cli = fakeCliContext({
    routes: {
      'POST /sso/login': () => started({ mode: 'device', url: 'https://device.sso/', userCode: 'ABCD-EFGH' }),
      'POST /sso/login/wait': () => ({ done: true }),
    },
  });
  t.equal(await run(cli.ctx, ['login', 'corp', '--device-code']), 0);
  t.equal(cli.stdout(), 'To sign in to "corp", open https://device.sso/\nand confirm this code: ABCD-EFGH\nSigned in to "corp".\n');
  t.same(cli.calls[0]!.body, { session: 'corp', device: true });
  t.equal(await run(cli.ctx, ['login', 'a', 'b']), 2);
});

t.test('credd login opens the browser credd console uses: $BROWSER with the URL; a missing command prints the URL', async (t) => {
  const dir = t.testdir({});
  const login = (await import('../../src/cli/commands/login.js')).default;
  const ok = fakeCliContext({ env: { BROWSER: '/bin/true' }, routes: { 'POST /sso/login': () => started(), 'POST /sso/login/wait': () => ({ done: true }) } });
  t.equal(await login(ok.ctx, []), 0);
  t.match(ok.stdout(), /Opened the browser/);
  const missing = fakeCliContext({
    env: { BROWSER: `${dir}/no-such-browser` },
    routes: { 'POST /sso/login': () => started(), 'POST /sso/login/wait': () => ({ done: true }) },
  });
  t.equal(await login(missing.ctx, []), 0);
  t.match(missing.stdout(), /open this URL in a browser on this machine:\nhttp:\/\/127\.0\.0\.1:1\/authorize/);
});

const ROLES = {
  session: 'corp',
  accounts: [
    { accountId: '222222222222', accountName: 'Corp Dev', roles: ['Developer', 'ReadOnly'] },
    { accountId: '555555555555', roles: ['Admin'] },
  ],
};

t.test('credd sso roles: plain, --config stanzas, --json', async (t) => {
  const cli = fakeCliContext({ routes: { 'GET /sso/roles?session=corp': () => ROLES, 'GET /sso/roles': () => ({ session: 'corp', accounts: [] }) } });
  t.equal(await run(cli.ctx, ['sso', 'roles', 'corp']), 0);
  t.equal(cli.stdout(), '222222222222  Corp Dev\n    Developer\n    ReadOnly\n555555555555  \n    Admin\n');
  const c = fakeCliContext({ routes: { 'GET /sso/roles?session=corp': () => ROLES } });
  t.equal(await run(c.ctx, ['sso', 'roles', 'corp', '--config']), 0);
  t.equal(
    c.stdout(),
    '[profile corp-dev-developer]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Developer\n\n[profile corp-dev-readonly]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\n\n[profile 555555555555-admin]\nsso_session = corp\nsso_account_id = 555555555555\nsso_role_name = Admin\n',
  );
  const j = fakeCliContext({ routes: { 'GET /sso/roles': () => ROLES } });
  t.equal(await run(j.ctx, ['sso', 'roles', '--json']), 0);
  t.same(JSON.parse(j.stdout()), ROLES);
  const e = fakeCliContext({ routes: { 'GET /sso/roles': () => ({ session: 'corp', accounts: [] }) } });
  t.equal(await run(e.ctx, ['sso', 'roles']), 0);
  t.equal(e.stdout(), 'The portal offers no account to "corp".\n');
  t.equal(await run(e.ctx, ['sso']), 2);
  t.match(e.stderr(), 'Usage: credd sso roles');
});

t.test('status lines of SSO sessions', async (t) => {
  const now = Date.parse('2030-01-01T12:00:00Z');
  t.same(ssoLines([], now), []);
  t.same(
    ssoLines(
      [
        {
          session: 'corp',
          startUrl: 'https://corp/start',
          region: 'us-east-1',
          legacy: false,
          state: 'signed-in',
          accessTokenExpires: '2030-01-01T12:30:00Z',
          refreshToken: true,
          registrationExpires: '2030-03-01T00:00:00Z',
        },
        {
          session: 'old',
          startUrl: 'https://old/start',
          region: 'us-east-1',
          legacy: true,
          state: 'ending',
          accessTokenExpires: '2030-01-01T12:20:00Z',
          refreshToken: false,
          warning: 'W',
        },
        { session: 'gone', startUrl: 'https://g/start', region: 'us-east-1', legacy: false, state: 'ended', refreshToken: true },
        { session: 'out', startUrl: 'https://o/start', region: 'us-east-1', legacy: false, state: 'signed-out', refreshToken: false },
      ],
      now,
    ),
    [
      'IAM Identity Center sessions:',
      '  corp (https://corp/start): signed in',
      '    access token expires 2030-01-01T12:30:00Z (30m left); refresh token: yes (renewed until the session length your administrator set); registration expires 2030-03-01T00:00:00Z (1404h 00m left)',
      '  old (https://old/start, legacy profile): ends soon',
      '    access token expires 2030-01-01T12:20:00Z (20m left); refresh token: none (sign in again when the access token expires); registration expires unknown',
      '    warning: W',
      '  gone (https://g/start): ended (run `credd login gone`)',
      '    access token expires unknown; refresh token: yes (renewed until the session length your administrator set); registration expires unknown',
      '  out (https://o/start): signed out (run `credd login out`)',
    ],
  );
});

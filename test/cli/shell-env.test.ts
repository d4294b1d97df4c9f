import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { applyEnv, containerEnv, quoteFish, quotePs, renderShellEnv, SHADOWING_VARS, type ShellEnv } from '../../src/cli/shell-env.js';
import { quoteSh, shellWord } from '../../src/shell-quote.js';
import { fakeCliContext } from '../helpers/cli-context.js';
import { hasCommand } from '../helpers/moto.js';

/** Values that break naive quoting in one shell or another. */
const NASTY = ["it's", 'back\\slash', 'ends with \\', "\\'", '$HOME `id` $(id) !x', 'two\nlines', 'tab\there', '‘typographic’', '%PATH% "dq"', ''];

const BASE = containerEnv({ url: 'http://127.0.0.1:9911/creds', token: 'tok_EN-123', region: 'us-west-2' });

t.test('containerEnv: what is set and what is unset', async (t) => {
  t.same(BASE.set, [
    ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'http://127.0.0.1:9911/creds'],
    ['AWS_CONTAINER_AUTHORIZATION_TOKEN', 'tok_EN-123'],
    ['AWS_REGION', 'us-west-2'],
    ['AWS_DEFAULT_REGION', 'us-west-2'],
  ]);
  for (const v of [
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  ]) {
    t.ok(BASE.unset.includes(v), `unsets ${v}`);
  }
  t.notOk(
    BASE.unset.some((v) => BASE.set.some(([k]) => k === v)),
    'never unsets what it sets',
  );
  t.same(
    containerEnv({ url: 'u', token: 't' }).set.map(([k]) => k),
    ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'],
    'no region, no region lines; no token file (JS v3 warns when both are set)',
  );
  t.ok(SHADOWING_VARS.length >= 10);
});

t.test('sh (bash, zsh): exact lines', async (t) => {
  t.equal(renderShellEnv({ set: [['A', "it's"]], unset: ['X', 'Y'] }, 'sh'), "unset X Y\nexport A='it'\\''s'\n");
  t.equal(renderShellEnv(BASE, 'sh').split('\n')[0], `unset ${BASE.unset.join(' ')}`);
  t.match(renderShellEnv(BASE, 'sh'), "\nexport AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:9911/creds'\n");
});

t.test('sh: bash and sh eval every value back exactly', async (t) => {
  for (const shell of ['bash', 'sh', 'zsh'].filter(hasCommand)) {
    for (const value of NASTY) {
      const env: ShellEnv = { set: [['CREDD_T', value]], unset: ['CREDD_GONE'] };
      const r = spawnSync(shell, ['-c', 'eval "$(cat)"; printf %s "${CREDD_GONE-unset}|$CREDD_T"'], {
        input: renderShellEnv(env, 'sh'),
        encoding: 'utf8',
        env: { PATH: process.env.PATH, CREDD_GONE: 'was set' },
      });
      t.equal(r.stdout, `unset|${value}`, `${shell}: ${JSON.stringify(value)}`);
    }
  }
});

t.test('fish: exact lines, and a trailing backslash cannot swallow the quote', async (t) => {
  t.equal(renderShellEnv({ set: [['A', 'x']], unset: ['X'] }, 'fish'), "set -e X\nset -gx A 'x'\n");
  t.equal(quoteFish("it's"), "'it\\'s'");
  t.equal(quoteFish('ends with \\'), "'ends with \\\\'");
  t.equal(quoteFish('$HOME (id)'), "'$HOME (id)'", 'no expansion inside single quotes');
  if (!hasCommand('fish')) {
    t.comment('fish is not installed: the exact lines above are the check');
    return;
  }
  for (const value of NASTY) {
    const r = spawnSync('fish', ['-c', 'cat | source; printf %s "$CREDD_T"'], {
      input: renderShellEnv({ set: [['CREDD_T', value]], unset: [] }, 'fish'),
      encoding: 'utf8',
    });
    t.equal(r.stdout, value, `fish: ${JSON.stringify(value)}`);
  }
});

t.test('PowerShell: exact lines, quotes doubled (typographic ones too)', async (t) => {
  t.equal(renderShellEnv({ set: [['A', "it's"]], unset: ['X'] }, 'powershell'), "Remove-Item Env:X -ErrorAction SilentlyContinue\n$Env:A = 'it''s'\n");
  t.equal(quotePs('‘a’'), "'‘‘a’’'");
  t.equal(quotePs('$HOME "x" `n'), `'$HOME "x" \`n'`, 'nothing else is special in single quotes');
  t.equal(quoteSh(''), "''");
  const pwsh = ['pwsh', 'powershell'].find(hasCommand);
  if (!pwsh) {
    t.comment('PowerShell is not installed: the exact lines above are the check');
    return;
  }
  for (const value of NASTY) {
    const r = spawnSync(pwsh, ['-NoProfile', '-Command', '$input | Out-String | Invoke-Expression; [Console]::Out.Write($Env:CREDD_T)'], {
      input: renderShellEnv({ set: [['CREDD_T', value || 'x']], unset: [] }, 'powershell'),
      encoding: 'utf8',
    });
    t.equal(r.stdout, value || 'x', `${pwsh}: ${JSON.stringify(value)}`);
  }
});

t.test('applyEnv: what `credd exec` runs with', async (t) => {
  t.same(applyEnv({ PATH: '/bin', AWS_PROFILE: 'dev', AWS_REGION: 'eu-west-1', EMPTY: undefined }, BASE), {
    PATH: '/bin',
    AWS_REGION: 'us-west-2',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:9911/creds',
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'tok_EN-123',
    AWS_DEFAULT_REGION: 'us-west-2',
  });
});

t.test('`credd env --shell` for each shell, through the real command', async (t) => {
  const root = t.testdir({
    home: { '.aws': { config: '[profile dev]\nregion = eu-central-1\n' } },
    state: { credd: { 'state.json': '{"activeProfile":"dev"}' } },
  });
  const outputs: Record<string, string> = {};
  for (const shell of ['sh', 'fish', 'powershell']) {
    const cli = fakeCliContext({
      root,
      env: {
        HOME: join(root, 'home'),
        XDG_RUNTIME_DIR: join(root, 'run'),
        XDG_STATE_HOME: join(root, 'state'),
        XDG_CONFIG_HOME: join(root, 'config'),
        CREDD_PORT: '9922',
      },
    });
    t.equal(await run(cli.ctx, ['env', '--shell', shell]), 0, cli.stderr());
    outputs[shell] = cli.stdout();
  }
  t.match(outputs.sh, "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:9922/creds'\n");
  t.match(outputs.sh, "export AWS_REGION='eu-central-1'\n");
  t.match(outputs.fish, "set -gx AWS_CONTAINER_CREDENTIALS_FULL_URI 'http://127.0.0.1:9922/creds'\n");
  t.match(outputs.fish, 'set -e AWS_PROFILE\n');
  t.match(outputs.powershell, "$Env:AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9922/creds'\n");
  t.match(outputs.powershell, 'Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n');
  t.match(outputs.powershell, 'Remove-Item Env:AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE -ErrorAction SilentlyContinue\n');
  const token = /AWS_CONTAINER_AUTHORIZATION_TOKEN = '([^']+)'/.exec(outputs.powershell)?.[1];
  t.match(outputs.sh, `export AWS_CONTAINER_AUTHORIZATION_TOKEN='${token}'`, 'one token file, the same token for every shell');
  const bad = fakeCliContext({ root });
  t.equal(await run(bad.ctx, ['env', '--shell', 'tcsh']), 2);
  t.match(bad.stderr(), 'use sh (bash, zsh), fish or powershell');
});

t.test('shellWord: bare when nothing is special, else quoted as quoteSh does', async (t) => {
  t.equal(shellWord('systemctl'), 'systemctl');
  t.equal(shellWord('/home/u/.config/credd.service'), '/home/u/.config/credd.service');
  t.equal(shellWord('a b'), quoteSh('a b'));
  t.equal(shellWord("it's"), `'it'\\''s'`);
});

/** `credd doctor`: one line per finding with its fix, --json, the exit code; no SDK on its import path. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createDoctorCommand } from '../../src/cli/commands/doctor.js';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';
import { deps, fixture, TOKEN, URI } from './doctor/fixtures.js';
import { reachableImports } from './import-graph.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('the command: one line per finding with its fix, --json, exit 1 only for errors', async (t) => {
  const root = fixture(t, { config: '[profile management]\nregion = us-west-2\n', token: TOKEN });
  const env = {
    HOME: join(root, 'home'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: URI,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
  };
  const status = { endpoint: 'http://127.0.0.1:9911', activeProfile: 'management', sessions: [], profiles: [], errors: [] };
  const doctor = createDoctorCommand(deps(async (url) => ({ url, status: 200 })));

  const warn = fakeCliContext({ root, env, routes: { 'GET /status': () => status } });
  t.equal(await doctor(warn.ctx, []), 0, 'a warning alone exits 0');
  t.equal(
    warn.stdout(),
    'warning: No region: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and [default] names none; most SDK calls need one. Fix: eval "$(credd env)" (it sets the profile\'s region), or export AWS_REGION=us-west-2\n',
  );

  const clean = fakeCliContext({ root, env: { ...env, AWS_REGION: 'us-west-2' }, routes: { 'GET /status': () => status } });
  t.equal(await doctor(clean.ctx, []), 0);
  t.equal(clean.stdout(), 'ok: nothing here keeps the SDKs from getting credentials from credd.\n');

  const bad = fakeCliContext({ root, env: { ...env, AWS_PROFILE: 'dev' } });
  t.equal(await doctor(bad.ctx, ['--json']), 1);
  const doc = JSON.parse(bad.stdout()) as { ok: boolean; findings: Array<{ code: string; severity: string; message: string; fix: string }> };
  t.equal(doc.ok, false);
  t.same(
    doc.findings.map((x) => x.code),
    ['EnvProfile', 'NoRegion', 'DaemonNotRunning'],
  );
  t.match(doc.findings[0], { severity: 'error', message: /^AWS_PROFILE=dev is set/, fix: /^unset AWS_PROFILE/ });

  const viaRun = fakeCliContext({ root, env });
  t.equal(await run(viaRun.ctx, ['doctor', '--json']), 1, 'the real probes and login-service lookup, without a daemon');
  t.match(JSON.parse(viaRun.stdout()), {
    ok: false,
    findings: [
      { code: 'NoRegion' },
      { code: 'DaemonNotRunning' },
      { code: 'NoLoginService', message: new RegExp(`no ${join(root, 'home', '.config', 'systemd', 'user', 'credd.service')}`) },
    ],
  });
  t.equal(await run(viaRun.ctx, ['doctor', '--verbose']), 2, 'usage errors exit 2');
  const help = fakeCliContext({ root, env });
  t.equal(await run(help.ctx, ['doctor', '--help']), 0);
  t.match(help.stdout(), /^Usage: credd doctor \[--json\]/);
  t.same(
    [...reachableImports(join(ROOT, 'src', 'cli', 'commands', 'doctor.ts'))].filter((s) => s.startsWith('@aws-sdk')),
    [],
    'doctor does not load the AWS SDK either',
  );
});

/**
 * `credd doctor` end to end: the built binary, a daemon with an MFA session against moto_server
 * (behind the strict STS proxy), and shells set up as a user's would be, with `eval "$(credd env)"`
 * (or `--imds`) and then one thing wrong. Doctor must pass the clean shells with exit 0, fail each
 * broken one with exit 1 naming the cause and the fix, and never print a secret.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { CREDD_BIN, credd, MANAGEMENT_SECRET, runCommand, startScenario, type RunResult } from '../helpers/credd-process.js';

const OK = 'ok: nothing here keeps the SDKs from getting credentials from credd.\n';

const world = await startScenario(t);
if (world) {
  const { box, daemon } = world;
  const node = JSON.stringify(process.execPath);
  const bin = JSON.stringify(CREDD_BIN);
  /** Every output of doctor, to look for secrets at the end. */
  const outputs: string[] = [];

  /**
   * Runs `credd doctor ARGS` in a shell that evaluated `credd env ENVARGS`, then ran `then`
   * (e.g. `export AWS_PROFILE=dev`), with `extra` in its environment from the start.
   */
  const doctor = async (opts: { envArgs?: string; then?: string; args?: string; extra?: Record<string, string> } = {}): Promise<RunResult> => {
    const script = `eval "$(${node} ${bin} env ${opts.envArgs ?? ''})" && ${opts.then ?? ':'} && ${node} ${bin} doctor ${opts.args ?? ''}`;
    const r = await runCommand('sh', ['-c', script], { ...box.env, ...opts.extra });
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  // The login service as `credd service install` leaves it: doctor only looks for the file.
  const serviceFile =
    process.platform === 'darwin'
      ? join(box.home, 'Library', 'LaunchAgents', 'dev.credd.daemon.plist')
      : join(box.env.XDG_CONFIG_HOME!, 'systemd', 'user', 'credd.service');

  t.test('set-up: one MFA code, dev active', async (t) => {
    const mfa = await credd(box.env, ['mfa', '123456', '--profile', 'dev']);
    t.equal(mfa.code, 0, mfa.stderr);
    t.equal((await credd(box.env, ['switch', 'dev'])).code, 0);
  });

  t.test('a clean credd shell without a login service: exit 0, one warning', async (t) => {
    const r = await doctor();
    t.equal(r.code, 0, r.stderr);
    t.equal(
      r.stdout,
      `warning: credd does not start at login (no ${serviceFile}): after a reboot the SDKs find no daemon until you run credd start. Fix: credd service install\n`,
    );
  });

  t.test('a clean credd shell with the login service installed: ok, exit 0', async (t) => {
    mkdirSync(dirname(serviceFile), { recursive: true });
    writeFileSync(serviceFile, '# written by the test\n');
    const r = await doctor();
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, OK);
    t.equal(r.stderr, '');
  });

  t.test('the IMDS form of credd env: ok, exit 0', async (t) => {
    const r = await doctor({ envArgs: '--imds' });
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout, OK);
  });

  t.test('AWS_EC2_METADATA_DISABLED=true in the IMDS shell: exit 1, named with its fix', async (t) => {
    const r = await doctor({ envArgs: '--imds', then: 'export AWS_EC2_METADATA_DISABLED=true' });
    t.equal(r.code, 1);
    t.equal(
      r.stdout,
      'error: AWS_EC2_METADATA_DISABLED=true is set: the SDKs do not ask IMDS, so they never reach credd. Fix: unset AWS_EC2_METADATA_DISABLED (or eval "$(credd env --imds)")\n',
    );
  });

  t.test('AWS_PROFILE set after credd env: exit 1, the cause and the fix', async (t) => {
    const r = await doctor({ then: 'export AWS_PROFILE=dev' });
    t.equal(r.code, 1);
    t.equal(
      r.stdout,
      'error: AWS_PROFILE=dev is set: the SDKs read that profile from your AWS files themselves (and ask for its MFA code) instead of asking credd. Fix: unset AWS_PROFILE (or eval "$(credd env)"); to use another profile: credd switch dev, or credd exec dev -- CMD\n',
    );
  });

  t.test('--json prints the same finding for scripts', async (t) => {
    const r = await doctor({ then: 'export AWS_PROFILE=dev', args: '--json' });
    t.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; findings: Array<{ code: string; severity: string; message: string; fix: string }> };
    t.equal(doc.ok, false);
    t.same(
      doc.findings.map((f) => `${f.severity} ${f.code}`),
      ['error EnvProfile'],
    );
    t.match(doc.findings[0], { message: /^AWS_PROFILE=dev is set/, fix: /^unset AWS_PROFILE/ });
    const clean = await doctor({ args: '--json' });
    t.same(JSON.parse(clean.stdout), { ok: true, findings: [] });
    t.equal(clean.code, 0);
  });

  t.test('a [default] profile with keys in the credentials file: exit 1, the cause and the fix', async (t) => {
    // A credentials file of the shell's own, so the daemon's files stay as they are.
    const file = join(box.root, 'credentials-with-default');
    writeFileSync(
      file,
      `[default]\naws_access_key_id = AKIADEFAULTEXAMPLE\naws_secret_access_key = ${MANAGEMENT_SECRET}\n\n${readFileSync(join(box.home, '.aws', 'credentials'), 'utf8')}`,
    );
    const r = await doctor({ extra: { AWS_SHARED_CREDENTIALS_FILE: file } });
    t.equal(r.code, 1);
    t.equal(
      r.stdout,
      `error: [default] in ${file} has keys, and every SDK uses them before credd (when AWS_PROFILE is unset). Fix: rename that section, e.g. to [management], and point source_profile at it\n`,
    );
  });

  t.test("a URI that names another port than the daemon's: exit 1, the cause and the fix", async (t) => {
    const status = JSON.parse((await credd(box.env, ['status', '--json'])).stdout) as { endpoint: string };
    const r = await doctor({ then: 'export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/creds' });
    t.equal(r.code, 1);
    t.equal(
      r.stdout,
      `error: AWS_CONTAINER_CREDENTIALS_FULL_URI names port 1, but the daemon listens at ${status.endpoint}: the SDKs in this shell ask something else, or nothing. Fix: eval "$(credd env)"\n`,
    );
  });

  t.test("no secret in any of doctor's output", async (t) => {
    const token = readFileSync(join(box.root, 'run', 'credd', 'token'), 'utf8');
    const state = JSON.parse(readFileSync(join(box.root, 'state', 'credd', 'state.json'), 'utf8')) as {
      sessions: Array<{ secretAccessKey: string; sessionToken: string }>;
    };
    const served = JSON.parse((await credd(box.env, ['credential-process', 'dev'])).stdout) as { SecretAccessKey: string; SessionToken: string };
    const secrets = {
      token,
      sessionSecret: state.sessions[0]!.secretAccessKey,
      sessionToken: state.sessions[0]!.sessionToken,
      servedSecret: served.SecretAccessKey,
      servedToken: served.SessionToken,
      MANAGEMENT_SECRET,
    };
    t.ok(outputs.length >= 18, 'every run above was recorded');
    for (const [name, secret] of Object.entries(secrets)) {
      t.ok(secret && secret.length >= 16, `${name} is a real secret`);
      t.notOk(
        outputs.some((o) => o.includes(secret)),
        `${name} is not in doctor's output`,
      );
    }
  });

  t.test('a stopped daemon: exit 1, the cause and the fix', async (t) => {
    t.equal(await daemon.stop(), 0);
    const r = await doctor();
    t.equal(r.code, 1);
    t.equal(r.stdout, 'error: No credd daemon runs for this user. Fix: credd start (or credd service install, to start it at every login)\n');
  });
}

import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, requireOrSkip } from '../helpers/moto.js';
import { credd, runCommand, startScenario } from '../helpers/credd-process.js';
import { signIn, switchWithSlowSts } from '../helpers/scenario-steps.js';
import { evalShellEnv, lastLine } from '../helpers/clients.js';

// The first request for a profile is never cold (issue 13): with STS taking 1.5 s, the Go SDK v2
// (Debian's, which retries only listed error codes) and the AWS CLI v2 (one IMDS attempt, 1 s
// timeout) get the right account at their first try after `credd switch`.

const GOPATH = '/usr/share/gocode';
const AWS_V2 = '/usr/bin/aws';
const hasGo = hasCommand('go') && existsSync(join(GOPATH, 'src/github.com/aws/aws-sdk-go-v2/service/sts'));
const hasAwsV2 = existsSync(AWS_V2);

t.setTimeout(300_000);

const world = await startScenario(t);
if (world) {
  const { moto, proxy, box } = world;
  const build = mkdtempSync(join(tmpdir(), 'credd-go-'));
  t.teardown(() => rmSync(build, { recursive: true, force: true }));
  // The clients call moto for GetCallerIdentity; only credd's own STS calls go through the slow proxy.
  const clientBase = { PATH: process.env.PATH!, HOME: box.home, STS_URL: moto.url };

  t.test('setup: one MFA code, STS becomes slow, credd switch waits for prod', async (t) => {
    await signIn(t, box);
    const r = await switchWithSlowSts(t, world, 'prod');
    t.match(r.stdout, /prod: credentials ready, 59m left/);
  });

  t.test('the Go SDK v2 through the container endpoint', async (t) => {
    if (!requireOrSkip(t, 'go with golang-github-aws-aws-sdk-go-v2-dev (apt-get install golang-go golang-github-aws-aws-sdk-go-v2-dev)', hasGo)) return;
    const bin = join(build, 'client');
    const b = await runCommand('go', ['build', '-o', bin, join(import.meta.dirname, 'go-client', 'main.go')], {
      PATH: process.env.PATH!,
      HOME: build,
      GO111MODULE: 'off',
      GOPATH,
      GOCACHE: join(build, 'cache'),
      GOFLAGS: '-mod=mod',
    });
    t.equal(b.code, 0, `built offline in GOPATH mode: ${b.stderr}`);
    const env = await evalShellEnv((await credd(box.env, ['env'])).stdout, clientBase);
    const r = await runCommand(bin, [], env);
    t.equal(r.code, 0, lastLine(r.stderr));
    t.equal(lastLine(r.stdout), '555555555555', 'the account of prod');
    // A profile nobody warmed: the deadline answer (503 RequestTimeout) is one Go v2 retries.
    const pinned = await evalShellEnv((await credd(box.env, ['env', 'staging'])).stdout, clientBase);
    const cold = await runCommand(bin, [], pinned);
    t.equal(cold.code, 0, `retried past the slow first fetch: ${lastLine(cold.stderr)}`);
    t.equal(lastLine(cold.stdout), '444444444444');
  });

  t.test('the AWS CLI v2 through IMDS', async (t) => {
    if (!requireOrSkip(t, 'the AWS CLI v2 (apt-get install awscli: /usr/bin/aws)', hasAwsV2)) return;
    const env = await evalShellEnv((await credd(box.env, ['env', '--imds'])).stdout, clientBase);
    const r = await runCommand(AWS_V2, ['sts', 'get-caller-identity', '--endpoint-url', moto.url, '--query', 'Account', '--output', 'text'], env);
    t.equal(r.code, 0, lastLine(r.stderr));
    t.equal(lastLine(r.stdout), '555555555555');
    proxy.mode = 'pass';
  });
}

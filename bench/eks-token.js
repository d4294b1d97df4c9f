// `credd eks-token` (the daemon's cached token) against `aws eks get-token` (the AWS CLI signs
// it in a new Python process), as kubectl runs them: one process per call, wall time from
// spawn to exit, interleaved, for the same profile and cluster. Self-contained (moto_server,
// a sandbox HOME, a daemon): `npm run build && node bench/eks-token.js [--runs N]`.
// Prints a markdown table for docs/performance.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CREDD = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin', 'credd.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg === -1 ? 15 : Number(process.argv[runsArg + 1]);
const CLUSTER = 'bench-cluster';

const freePort = () =>
  new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const TIME = spawnSync('sh', ['-c', 'command -v /usr/bin/time']).status === 0;

/**
 * Runs `cmd args` to completion; resolves wall ms, CPU ms (user + system, from /usr/bin/time:
 * on a busy machine wall time mostly measures the wait for a core), status and output.
 */
function timed(cmd, args, env) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const cpuFile = join(tmpdir(), `credd-bench-cpu-${process.pid}-${Math.random().toString(16).slice(2)}`);
    const [c, a] = TIME ? ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, cmd, ...args]] : [cmd, args];
    const child = spawn(c, a, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', rej);
    child.on('close', (status) => {
      const ms = performance.now() - t0;
      let cpu = NaN;
      if (TIME) {
        const [u, sy] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        cpu = (u + sy) * 1000;
        rmSync(cpuFile, { force: true });
      }
      res({ ms, cpu, status, out, err });
    });
  });
}

async function main() {
  for (const tool of ['moto_server', 'aws']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is not on PATH`);
  }
  const root = mkdtempSync(join(tmpdir(), 'credd-bench-eks-'));
  const home = join(root, 'home');
  mkdirSync(join(home, '.aws'), { recursive: true });
  writeFileSync(
    join(home, '.aws', 'credentials'),
    '[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
  );
  writeFileSync(
    join(home, '.aws', 'config'),
    '[profile management]\nregion = us-west-2\n\n[profile dev]\nregion = us-west-2\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Dev\nmfa_serial = arn:aws:iam::111111111111:mfa/user.name\n',
  );
  const motoPort = await freePort();
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(motoPort)], { stdio: 'ignore' });
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(AWS_|CREDD_|XDG_)/.test(k)) env[k] = v;
  Object.assign(env, {
    HOME: home,
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
    AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${motoPort}`,
    CREDD_PORT: '0',
  });
  const daemon = spawn(process.execPath, [CREDD, 'daemon'], { env, stdio: 'ignore' });
  try {
    const cli = (args) => spawnSync(process.execPath, [CREDD, ...args], { env, encoding: 'utf8' });
    for (let i = 0; i < 200 && cli(['status']).status !== 0; i++) await sleep(100);
    for (let i = 0; i < 200 && cli(['mfa', '123456', '--profile', 'dev']).status !== 0; i++) await sleep(100);
    // The AWS CLI gets the same credentials from credd (the shell of `eval "$(credd env dev)"`).
    const shell = spawnSync('sh', ['-c', `eval "$("${process.execPath}" "${CREDD}" env dev)" && env -0`], { env, encoding: 'utf8' });
    const awsEnv = Object.fromEntries(
      shell.stdout
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const creddArgs = [CREDD, 'eks-token', CLUSTER, '--profile', 'dev'];
    const awsArgs = ['eks', 'get-token', '--cluster-name', CLUSTER, '--region', 'us-west-2'];
    const first = await timed(process.execPath, creddArgs, env);
    if (first.status !== 0) throw new Error(`credd eks-token: ${first.err}`);
    const check = await timed('aws', awsArgs, awsEnv);
    if (check.status !== 0) throw new Error(`aws eks get-token: ${check.err}`);
    const credd = [];
    const aws = [];
    const bare = [];
    for (let i = 0; i < RUNS; i++) {
      credd.push(await timed(process.execPath, creddArgs, env));
      aws.push(await timed('aws', awsArgs, awsEnv));
      bare.push(await timed(process.execPath, ['-e', '0'], env));
    }
    const wall = (xs) => xs.map((x) => x.ms);
    const cpu = (xs) => xs.map((x) => x.cpu);
    const row = (name, xs) => `| ${name} | ${median(wall(xs)).toFixed(0)} ms | ${quantile(wall(xs), 0.9).toFixed(0)} ms | ${median(cpu(xs)).toFixed(0)} ms |`;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(
      `Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, ${RUNS} interleaved runs each, Node ${process.version}, ${cpus().length} CPUs, load average ${load}; first credd call (signs): ${first.ms.toFixed(0)} ms.\n`,
    );
    console.log('| command (one process per call, as kubectl runs it) | wall, median | wall, p90 | CPU (user + system), median |');
    console.log('| --- | --- | --- | --- |');
    console.log(row('`credd eks-token` (token cached by the daemon)', credd));
    console.log(row('`aws eks get-token` (AWS CLI v1, same credentials via credd)', aws));
    console.log(row('`node -e 0` (the floor of any Node.js command)', bare));
    console.log(
      `\n**credd is ${(median(wall(aws)) / median(wall(credd))).toFixed(1)}× faster in wall time, ${(median(cpu(aws)) / median(cpu(credd))).toFixed(1)}× in CPU time** (median against median).`,
    );
  } finally {
    daemon.kill('SIGTERM');
    moto.kill('SIGTERM');
    await sleep(300);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench/eks-token: ${err.message}`);
  process.exitCode = 1;
});

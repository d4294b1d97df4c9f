#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createControlClient } from '../cli/control-client.js';
import { run, wantsDebug } from '../cli/run.js';
import { resolvePaths } from '../state/paths.js';
import { checkRuntimeDir } from '../state/runtime-dir.js';

// The only place that reads argv, the environment and the wall clock.
const env = process.env;
const uid = process.getuid?.() ?? 0;
const home = env.HOME ?? homedir();
const paths = resolvePaths({
  home,
  uid,
  platform: process.platform,
  tmpdir: tmpdir(),
  XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
  XDG_STATE_HOME: env.XDG_STATE_HOME,
  XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
});
const scriptPath = fileURLToPath(import.meta.url);
const pkg = JSON.parse(readFileSync(join(scriptPath, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
const argv = process.argv.slice(2);
// `credd profiles | head` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await run(
  {
    env,
    paths,
    awsPaths: {
      configFile: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
      credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    },
    endpoints: {
      sts: env.AWS_ENDPOINT_URL_STS,
      global: env.AWS_ENDPOINT_URL,
      iam: env.AWS_ENDPOINT_URL_IAM,
      ssoOidc: env.AWS_ENDPOINT_URL_SSO_OIDC,
      sso: env.AWS_ENDPOINT_URL_SSO,
    },
    client: createControlClient(
      paths.socket,
      30000,
      () => Date.now(),
      () => void checkRuntimeDir(paths.runtimeDir, uid),
    ),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdin: process.stdin,
    isTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    now: () => Date.now(),
    version: pkg.version,
    pid: process.pid,
    uid,
    platform: process.platform,
    execPath: process.execPath,
    scriptPath,
    debug: wantsDebug(argv),
    onStopSignal(handler) {
      process.once('SIGTERM', handler);
      process.once('SIGINT', handler);
    },
  },
  argv,
);
process.exitCode = code;

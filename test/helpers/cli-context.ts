/**
 * Test helper: a CliContext with every dependency faked, for unit tests of CLI commands.
 *
 *   const cli = fakeCliContext({ routes: { 'GET /status': () => status } });
 *   const code = await run(cli.ctx, ['prompt']);
 *   t.equal(cli.stdout(), 'dev 42m\n');
 *
 * The control client answers from `routes` ("METHOD /path" → handler; a handler may throw a
 * CreddError, which is what the real client does with a `{Code, Message}` answer). A request
 * without a route throws DaemonNotRunningError, as when no daemon runs. Every request is
 * recorded in `calls`.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliContext } from '../../src/cli/context.js';
import { controlPath } from '../../src/control/contract.js';
import { DaemonNotRunningError } from '../../src/errors.js';
import { resolvePaths } from '../../src/state/paths.js';

export type Route = (body: unknown, opts?: { timeoutMs?: number }) => unknown;

export interface FakeCliOptions {
  /** Base of HOME and the XDG dirs (nothing is created). Default `/nonexistent/credd-test`. */
  root?: string;
  env?: Record<string, string | undefined>;
  routes?: Record<string, Route>;
  now?: number;
  platform?: NodeJS.Platform;
  execPath?: string;
  scriptPath?: string;
  stdin?: string;
  isTTY?: boolean;
}

export interface FakeCli {
  ctx: CliContext;
  stdout(): string;
  stderr(): string;
  calls: Array<{ method: string; path: string; body?: unknown; timeoutMs?: number }>;
  /** Handlers registered by `onStopSignal`. */
  stopHandlers: Array<() => void>;
}

/** Builds the fake; see the file comment. */
export function fakeCliContext(opts: FakeCliOptions = {}): FakeCli {
  const root = opts.root ?? '/nonexistent/credd-test';
  const home = join(root, 'home');
  const env = opts.env ?? {
    HOME: home,
    XDG_RUNTIME_DIR: join(root, 'run'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_CONFIG_HOME: join(root, 'config'),
  };
  let out = '';
  let err = '';
  const calls: FakeCli['calls'] = [];
  const stopHandlers: Array<() => void> = [];
  const routes = opts.routes ?? {};
  const call = async (method: string, path: string, body?: unknown, timeoutMs?: number) => {
    calls.push({ method, path, ...(body === undefined ? {} : { body }), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    const route = routes[`${method} ${path}`];
    if (!route) throw new DaemonNotRunningError();
    return route(body, { timeoutMs });
  };
  const ctx: CliContext = {
    env,
    paths: resolvePaths({
      home: env.HOME ?? home,
      uid: 1000,
      platform: opts.platform ?? 'linux',
      tmpdir: join(root, 'tmp'),
      XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
      XDG_STATE_HOME: env.XDG_STATE_HOME,
      XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
    }),
    awsPaths: {
      configFile: env.AWS_CONFIG_FILE || join(env.HOME ?? home, '.aws', 'config'),
      credentialsFile: env.AWS_SHARED_CREDENTIALS_FILE || join(env.HOME ?? home, '.aws', 'credentials'),
    },
    endpoints: { sts: env.AWS_ENDPOINT_URL_STS, global: env.AWS_ENDPOINT_URL },
    client: {
      get: (path, ...[opts]) => {
        const o = opts as { params?: Record<string, string | undefined>; timeoutMs?: number } | undefined;
        return call('GET', controlPath(path, o?.params), undefined, o?.timeoutMs) as never;
      },
      post: (path, ...[body]) => call('POST', path, body ?? {}) as never,
    },
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    isTTY: opts.isTTY ?? false,
    stderrIsTTY: false,
    now: () => opts.now ?? Date.parse('2030-01-01T12:00:00Z'),
    version: '0.0.0-test',
    pid: 4242,
    platform: opts.platform ?? 'linux',
    execPath: opts.execPath ?? '/usr/bin/node',
    scriptPath: opts.scriptPath ?? '/opt/credd/dist/bin/credd.js',
    debug: false,
    onStopSignal: (h) => void stopHandlers.push(h),
  };
  return { ctx, stdout: () => out, stderr: () => err, calls, stopHandlers };
}

import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonNotRunningError } from '../../errors.js';
import { ensurePrivateDir } from '../../state/secure-fs.js';
import { DAEMON_NODE_FLAGS } from '../../daemon/node-flags.js';
import { checkRuntimeDir } from '../../state/runtime-dir.js';
import { socketAlive } from '../../daemon/single-instance.js';
import type { CliContext, Command } from '../context.js';
import { localEndpoint } from '../local-view.js';
import { parse } from '../parse.js';
import { refuseSquattedPort } from '../port-guard.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd start` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'start',
  group: 'Daemon',
  summary: 'start the daemon in the background (does nothing if it runs)',
  about: `Starts the daemon in the background if none is running, and waits until it answers.
Its log goes to the state directory (credd.log).
`,
} as const satisfies CommandSpec;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The daemon's log: in the state directory, or the runtime directory when that one cannot be written. */
function openLog(ctx: CliContext): { fd: number; file: string } {
  try {
    ensurePrivateDir(ctx.paths.stateDir);
    const file = join(ctx.paths.stateDir, 'credd.log');
    return { fd: openSync(file, 'a', 0o600), file };
  } catch {
    ensurePrivateDir(ctx.paths.runtimeDir);
    const file = join(ctx.paths.runtimeDir, 'credd.log');
    return { fd: openSync(file, 'a', 0o600), file };
  }
}

/** Reports the daemon that answers: the one this command started, or another that won the race. */
async function report(ctx: CliContext, childPid: number | undefined, logFile?: string): Promise<number> {
  const s = await ctx.client.get('/status');
  if (childPid !== undefined && s.pid === childPid) ctx.out(`credd started (pid ${s.pid}) at ${s.endpoint}; log: ${logFile}\n`);
  else ctx.out(`credd is already running (pid ${s.pid}) at ${s.endpoint}\n`);
  return 0;
}

/**
 * `credd start`: starts a detached daemon (with DAEMON_NODE_FLAGS) unless one answers already; waits until one does. Of
 * several `credd start` at once, every one exits 0 and names the daemon that ended up running
 * (the daemons themselves take turns under the start lock).
 */
const start: Command = async (ctx, args) => {
  parse(spec, args);
  checkRuntimeDir(ctx.paths.runtimeDir, ctx.uid);
  if (await socketAlive(ctx.paths.socket)) return report(ctx, undefined);
  refuseSquattedPort(ctx, localEndpoint(ctx), 'credd cannot serve there.');
  const log = openLog(ctx);
  const child = spawn(ctx.execPath, [...DAEMON_NODE_FLAGS, ctx.scriptPath, 'daemon'], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: ctx.env as NodeJS.ProcessEnv,
  });
  let exitedAt: number | undefined;
  child.on('exit', () => (exitedAt = Date.now()));
  child.unref();
  // After our daemon gave up, a little longer: it may have lost to one still placing its socket.
  for (let i = 0; i < 150 && (exitedAt === undefined || Date.now() - exitedAt < 2000); i++) {
    if (await socketAlive(ctx.paths.socket)) return report(ctx, child.pid, log.file);
    await sleep(100);
  }
  refuseSquattedPort(ctx, localEndpoint(ctx), 'credd cannot serve there.');
  throw new DaemonNotRunningError(`credd did not start: see ${log.file}.`);
};
export default start;

import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonNotRunningError } from '../../errors.js';
import { ensurePrivateDir } from '../../state/secure-fs.js';
import { socketAlive } from '../../daemon/single-instance.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd start`: starts a detached daemon unless one answers already; waits until it does. */
const start: Command = async (ctx, args) => {
  parse('start', args, {});
  if (await socketAlive(ctx.paths.socket)) {
    const s = await ctx.client.get('/status');
    ctx.out(`credd is already running at ${s.endpoint}\n`);
    return 0;
  }
  ensurePrivateDir(ctx.paths.stateDir);
  const logFile = join(ctx.paths.stateDir, 'credd.log');
  const fd = openSync(logFile, 'a', 0o600);
  const child = spawn(ctx.execPath, [ctx.scriptPath, 'daemon'], { detached: true, stdio: ['ignore', fd, fd], env: ctx.env as NodeJS.ProcessEnv });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  for (let i = 0; i < 100 && exited === null; i++) {
    if (await socketAlive(ctx.paths.socket)) {
      const s = await ctx.client.get('/status');
      ctx.out(`credd started (pid ${s.pid}) at ${s.endpoint}; log: ${logFile}\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new DaemonNotRunningError(`credd did not start: see ${logFile}.`);
};
export default start;

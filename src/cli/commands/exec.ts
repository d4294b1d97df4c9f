import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { BadRequestError } from '../../errors.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import { applyEnv } from '../shell-env.js';
import { envFor } from './env.js';
import type { CommandSpec } from '../command-spec.js';
import { usageOf } from '../help.js';

/** What `credd exec` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'exec',
  args: 'NAME -- CMD [ARGS...]',
  positionals: 1,
  group: 'Everyday',
  summary: "run CMD with NAME's credentials",
  about: `Runs CMD with the environment of \`credd env NAME\` and exits with its status.
`,
} as const satisfies CommandSpec;

/** `credd exec NAME -- CMD [ARGS...]`: checks NAME is servable first, then runs CMD and mirrors its exit. */
const exec: Command = async (ctx, args) => {
  const dash = args.indexOf('--');
  const own = dash === -1 ? args : args.slice(0, dash);
  const cmd = dash === -1 ? [] : args.slice(dash + 1);
  const name = parse(spec, own).positionals[0];
  if (name === undefined || cmd.length === 0) throw new BadRequestError(`Usage: credd ${usageOf(spec)} (see \`credd exec --help\`)`);
  // Surfaces "MFA needed" or "unknown profile" before CMD runs, and warms the cache.
  await ctx.client.get('/credentials/:name', { params: { name } });
  const env = applyEnv(ctx.env, envFor(ctx, name));
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'inherit', env });
    child.on('error', (err) => reject(new BadRequestError(`Cannot run ${cmd[0]}: ${err.message}`)));
    // 'exit' gives either a code or the signal that ended the child; shells report a signal as 128 + its number.
    child.on('exit', (code, signal) => resolve(code ?? 128 + constants.signals[signal!]));
  });
};
export default exec;

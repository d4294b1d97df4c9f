import { BadRequestError, toCreddError } from '../errors.js';
import type { CommandModule } from './command-spec.js';
import type { CliContext } from './context.js';
import { overview, verbHelp } from './help.js';

/**
 * Maps verbs to their modules, loaded on demand so each command pulls in only what it needs;
 * in this order in `credd --help`. A command module is light (the daemon's own code is loaded
 * by `credd daemon` when it runs), so that help can read every module's spec.
 */
export const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  daemon: () => import('./commands/daemon.js'),
  start: () => import('./commands/start.js'),
  stop: () => import('./commands/stop.js'),
  status: () => import('./commands/status.js'),
  mfa: () => import('./commands/mfa.js'),
  switch: () => import('./commands/switch.js'),
  profiles: () => import('./commands/profiles.js'),
  env: () => import('./commands/env.js'),
  exec: () => import('./commands/exec.js'),
  'credential-process': () => import('./commands/credential-process.js'),
  refresh: () => import('./commands/refresh.js'),
  reload: () => import('./commands/reload.js'),
  logout: () => import('./commands/logout.js'),
  login: () => import('./commands/login.js'),
  sso: () => import('./commands/sso.js'),
  doctor: () => import('./commands/doctor.js'),
  prompt: () => import('./commands/prompt.js'),
  service: () => import('./commands/service.js'),
  keys: () => import('./commands/keys.js'),
  rotate: () => import('./commands/rotate.js'),
  console: () => import('./commands/console.js'),
  'eks-token': () => import('./commands/eks-token.js'),
};

/** `credd --help` (no verb, or one that does not exist) or `credd VERB --help`. */
export async function helpText(verb?: string): Promise<string> {
  if (verb !== undefined && Object.hasOwn(COMMANDS, verb)) return verbHelp((await COMMANDS[verb]!()).spec);
  return overview(await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).spec)));
}

/** The arguments before `--`: what follows belongs to the command that `credd exec` runs. */
function ownArgs(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? argv : argv.slice(0, end);
}

/** `--debug` may stand anywhere before `--`. */
export function withoutDebug(argv: string[]): string[] {
  const own = ownArgs(argv);
  return [...own.filter((a) => a !== '--debug'), ...argv.slice(own.length)];
}

/** True when `--debug` stands before `--`. */
export function wantsDebug(argv: string[]): boolean {
  return ownArgs(argv).includes('--debug');
}

/**
 * Runs one CLI invocation and returns its exit code. The one place where errors
 * become a one-line message on stderr (a stack only with `--debug`).
 */
export async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const [verb, ...rest] = withoutDebug(argv);
  try {
    if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
      ctx.out(await helpText(rest[0]));
      return 0;
    }
    if (verb === '--version' || verb === '-v') {
      ctx.out(`credd ${ctx.version}\n`);
      return 0;
    }
    // hasOwn: `credd constructor` is an unknown command, not Object.prototype.constructor.
    const load = Object.hasOwn(COMMANDS, verb) ? COMMANDS[verb] : undefined;
    if (!load) throw new BadRequestError(`Unknown command "${verb}": run \`credd --help\` for the list.`);
    if (ownArgs(rest).some((a) => a === '--help' || a === '-h')) {
      ctx.out(await helpText(verb));
      return 0;
    }
    return await (await load()).default(ctx, rest);
  } catch (err) {
    const e = toCreddError(err);
    ctx.err(`credd: ${e.message}\n`);
    if (ctx.debug && err instanceof Error && err.stack) ctx.err(`${err.stack}\n`);
    return e.exitCode;
  }
}

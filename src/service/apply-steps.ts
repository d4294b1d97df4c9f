import { ServiceError } from '../errors.js';
import { shellWord } from '../shell-quote.js';
import type { RunResult, ServiceDeps } from './service-deps.js';
import type { Step } from './steps.js';

/** A command line as a user would type it (for reports and dry runs). */
export function shellLine(argv: string[]): string {
  return argv.map(shellWord).join(' ');
}

/** Runs argv; a missing program or a failing call becomes a ServiceError that says what to do. */
export async function runChecked(deps: ServiceDeps, argv: string[], mayFail = false): Promise<RunResult> {
  let r: RunResult;
  try {
    r = await deps.run(argv);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `${argv[0]} was not found` : `${argv[0]} could not run (${code ?? (err as Error).message})`;
    throw new ServiceError(
      `${why}: credd service needs ${argv[0] === 'systemctl' ? 'systemd' : 'launchd'}; without it, run \`credd start\` from your login script.`,
    );
  }
  if (r.code !== 0 && !mayFail) {
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n')[0] || `exit ${r.code}`;
    const hint = /bus|XDG_RUNTIME_DIR/i.test(detail)
      ? ' (no systemd user instance in this session, e.g. WSL, a container or `su`: run `credd start` instead)'
      : '';
    throw new ServiceError(`\`${shellLine(argv)}\` failed: ${detail}${hint}`);
  }
  return r;
}

/** Does the steps in order and reports each one, or (dry run) only prints them. */
export async function applySteps(steps: Step[], deps: ServiceDeps, opts: { dryRun: boolean; out(text: string): void }): Promise<void> {
  const say = (done: string, planned: string) => opts.out(`${opts.dryRun ? `would ${planned}` : done}\n`);
  for (const s of steps) {
    if (s.kind === 'mkdir') {
      if (!opts.dryRun) deps.fs.mkdir(s.path, s.mode);
      say(`made sure ${s.path} exists`, `create ${s.path} (mode ${s.mode.toString(8)}) unless it exists`);
    } else if (s.kind === 'write') {
      if (opts.dryRun) opts.out(`would write ${s.path} (mode ${s.mode.toString(8)}):\n${s.content}${s.content.endsWith('\n') ? '' : '\n'}`);
      else {
        deps.fs.write(s.path, s.content, s.mode);
        opts.out(`wrote ${s.path}\n`);
      }
    } else if (s.kind === 'remove') {
      if (!opts.dryRun) deps.fs.remove(s.path);
      say(`removed ${s.path}`, `remove ${s.path}`);
    } else {
      if (!opts.dryRun) await runChecked(deps, s.argv, s.mayFail);
      say(`ran: ${shellLine(s.argv)}`, `run: ${shellLine(s.argv)}`);
    }
  }
}

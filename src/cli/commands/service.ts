import type { DaemonStatus } from '../../control/contract.js';
import { BadRequestError, DaemonNotRunningError, ServiceError } from '../../errors.js';
import { applySteps, runChecked } from '../../service/apply-steps.js';
import { serviceTarget, type ServiceTarget } from '../../service/platform.js';
import { realServiceDeps, type ServiceDeps } from '../../service/service-deps.js';
import { renderServiceFile, templatePath } from '../../service/service-file.js';
import { installSteps, logHint, serviceFile, statusCommands, uninstallSteps } from '../../service/steps.js';
import type { CliContext, Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';
import { usageOf } from '../help.js';

/** What `credd service` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'service',
  args: 'install|uninstall|status',
  positionals: 1,
  options: {
    'dry-run': { type: 'boolean', help: 'print the files and commands instead of writing and running them' },
  },
  group: 'Setup',
  summary: 'start credd at login (systemd user unit / launchd agent)',
  about: `install: writes the login service with the real path of this node and credd, and starts it.
  Linux: ~/.config/systemd/user/credd.service (XDG_CONFIG_HOME honoured), then
  systemctl --user daemon-reload and systemctl --user enable --now credd.service.
  macOS: ~/Library/LaunchAgents/dev.credd.daemon.plist, then launchctl bootstrap gui/UID.
  A daemon already running (credd start) is stopped first so that the service takes over.
  Variables that choose credd's files (XDG_STATE_HOME, AWS_CONFIG_FILE, CREDD_PORT, ...)
  are copied from this shell into the unit.
uninstall: stops and disables the service and removes the file.
status: whether it is installed, enabled and running; exit 3 when it is not running.
`,
} as const satisfies CommandSpec;

/** What `service status` reports of a running daemon. */
type Running = Pick<DaemonStatus, 'pid' | 'endpoint'>;

/** How long `install` waits for a daemon to stop or the service to answer: 50 × 100 ms. */
const POLLS = 50;
const POLL_MS = 100;

async function running(ctx: CliContext): Promise<Running | undefined> {
  try {
    return await ctx.client.get('/status');
  } catch (err) {
    if (err instanceof DaemonNotRunningError) return undefined;
    throw err;
  }
}

async function waitFor(ctx: CliContext, deps: ServiceDeps, up: boolean): Promise<Running | undefined> {
  for (let i = 0; i < POLLS; i++) {
    const r = await running(ctx);
    if (Boolean(r) === up) return r;
    await deps.sleep(POLL_MS);
  }
  throw new ServiceError(up ? 'the service did not answer within 5 s' : 'the running daemon did not stop within 5 s: run `credd stop`, then try again');
}

function render(ctx: CliContext, deps: ServiceDeps, t: ServiceTarget): string {
  const file = templatePath(ctx.scriptPath, t);
  const template = deps.fs.read(file);
  if (template === undefined) throw new ServiceError(`The service template ${file} is missing: reinstall credd.`);
  return renderServiceFile(t, template, { node: ctx.execPath, script: ctx.scriptPath, stateDir: ctx.paths.stateDir, env: ctx.env });
}

async function install(ctx: CliContext, deps: ServiceDeps, t: ServiceTarget, dryRun: boolean): Promise<number> {
  const steps = installSteps(t, render(ctx, deps, t), ctx.paths.stateDir);
  const out = { dryRun, out: ctx.out };
  // Everything up to the step that starts the service, first: if systemctl or launchctl fails
  // there, a daemon started by `credd start` is still running.
  await applySteps(steps.slice(0, -1), deps, out);
  // That daemon holds the control socket, and the service's daemon would refuse to start
  // next to it. Sessions stay on disk.
  const before = await running(ctx);
  if (before) {
    ctx.out(`${dryRun ? 'would stop' : 'stopping'} the running daemon (pid ${before.pid}) so that the service takes over\n`);
    if (!dryRun) {
      await ctx.client.post('/stop');
      await waitFor(ctx, deps, false);
    }
  }
  try {
    await applySteps(steps.slice(-1), deps, out);
  } catch (err) {
    if (before) ctx.err('credd: the daemon was stopped; `credd start` runs it without the service.\n');
    throw err;
  }
  if (dryRun) return 0;
  let up: Running | undefined;
  try {
    up = await waitFor(ctx, deps, true);
  } catch {
    throw new ServiceError(`The service was installed but its daemon did not answer within 5 s: see \`credd service status\` and ${logHint(t)}.`);
  }
  ctx.out(
    `credd runs as a ${t.kind === 'systemd' ? 'systemd user service' : 'launchd agent'} (pid ${up!.pid}) at ${up!.endpoint}; it starts at every login. Log: ${logHint(t)}\n`,
  );
  return 0;
}

async function uninstall(ctx: CliContext, deps: ServiceDeps, t: ServiceTarget, dryRun: boolean): Promise<number> {
  if (deps.fs.read(serviceFile(t)) === undefined) {
    ctx.out(`credd's login service is not installed (no ${serviceFile(t)}).\n`);
    return 0;
  }
  await applySteps(uninstallSteps(t), deps, { dryRun, out: ctx.out });
  if (!dryRun) ctx.out('credd no longer starts at login; sessions stay on disk (`credd logout` erases them).\n');
  return 0;
}

async function status(ctx: CliContext, deps: ServiceDeps, t: ServiceTarget, dryRun: boolean): Promise<number> {
  const file = serviceFile(t);
  const installed = deps.fs.read(file);
  if (dryRun) {
    for (const argv of statusCommands(t)) ctx.out(`would run: ${argv.join(' ')}\n`);
    return 0;
  }
  if (installed === undefined) {
    ctx.out(`not installed (no ${file}): run \`credd service install\`\n`);
    return 3;
  }
  ctx.out(`installed: ${file}\n`);
  if (installed !== render(ctx, deps, t)) {
    ctx.out(
      'note: it differs from what `credd service install` would write now (credd or node moved, or the shell pins other variables): run `credd service install` again\n',
    );
  }
  let active: boolean;
  if (t.kind === 'systemd') {
    const [enabled, state] = await Promise.all(statusCommands(t).map((argv) => runChecked(deps, argv, true)));
    const word = (r: { stdout: string; code: number }) => r.stdout.trim().split('\n')[0] || `unknown (exit ${r.code})`;
    ctx.out(`enabled: ${word(enabled!)}\nactive: ${word(state!)}\n`);
    active = state!.code === 0;
  } else {
    const r = await runChecked(deps, statusCommands(t)[0]!, true);
    const facts = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^(state|pid|last exit code) = /.test(l));
    ctx.out(r.code === 0 ? `loaded: yes${facts.length ? ` (${facts.join(', ')})` : ''}\n` : 'loaded: no (run `credd service install`)\n');
    active = r.code === 0 && facts.includes('state = running');
  }
  ctx.out(`log: ${logHint(t)}\n`);
  return active ? 0 : 3;
}

const ACTIONS = { install, uninstall, status };

/** `credd service install|uninstall|status [--dry-run]`, with its side effects injected. */
export function createServiceCommand(makeDeps: (ctx: CliContext) => ServiceDeps): Command {
  return async (ctx, args) => {
    const { values, positionals } = parse(spec, args);
    const action = positionals[0];
    if (action !== 'install' && action !== 'uninstall' && action !== 'status') {
      throw new BadRequestError(`Usage: credd ${usageOf(spec)}`);
    }
    const deps = makeDeps(ctx);
    const target = serviceTarget(ctx.platform, deps.home, ctx.env, deps.uid);
    return ACTIONS[action](ctx, deps, target, values['dry-run'] ?? false);
  };
}

export default createServiceCommand((ctx) => realServiceDeps(ctx.env));

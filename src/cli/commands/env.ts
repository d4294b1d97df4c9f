import type { AwsConfig } from '../../aws/config.js';
import { BadRequestError } from '../../errors.js';
import { checkProfileName } from '../../aws/profile-name.js';
import { loadOrCreateToken } from '../../state/token.js';
import type { CliContext, Command } from '../context.js';
import { localConfig, localEndpoint, regionOf, savedActiveProfile } from '../local-view.js';
import { parse } from '../parse.js';
import { loadSettings } from '../../settings.js';
import { containerEnv, imdsEnv, renderShellEnv, type ShellEnv, type ShellKind } from '../shell-env.js';

function warnDefaultKeys(ctx: CliContext, config: AwsConfig | undefined): void {
  if (config?.defaultHasKeys) {
    ctx.err(`credd: warning: [default] in ${ctx.awsPaths.credentialsFile} has keys, and the SDKs use them before credd: rename that section (e.g. [management]).\n`);
  }
}

/** The environment of `credd env [NAME]`, with warnings about what would shadow it. */
export function envFor(ctx: CliContext, name: string | undefined): ShellEnv {
  if (name !== undefined) checkProfileName(name);
  const base = localEndpoint(ctx);
  const config = localConfig(ctx);
  const token = loadOrCreateToken(ctx.paths.tokenFile);
  warnDefaultKeys(ctx, config);
  const region = regionOf(config, name ?? savedActiveProfile(ctx));
  return containerEnv({ url: name ? `${base}/creds/${encodeURIComponent(name)}` : `${base}/creds`, token, region });
}

/** The environment of `credd env --imds`: IMDS serves the active profile only, so no NAME. */
export function imdsEnvFor(ctx: CliContext, name: string | undefined): ShellEnv {
  if (name !== undefined) throw new BadRequestError('IMDS serves the active profile: run `credd switch NAME`, then `credd env --imds` without NAME.');
  try {
    if (!loadSettings(ctx.paths.settingsFile, ctx.env).imds) ctx.err('credd: warning: IMDS is switched off in the settings (imds = false): the daemon will answer 404.\n');
  } catch {
    // A broken settings file is the daemon's to report; the address below is still the best guess.
  }
  const config = localConfig(ctx);
  warnDefaultKeys(ctx, config);
  return imdsEnv({ url: `${localEndpoint(ctx)}/`, region: regionOf(config, savedActiveProfile(ctx)) });
}

/** `credd env [NAME] [--imds] [--shell sh|fish|powershell]` */
const env: Command = async (ctx, args) => {
  const { values, positionals } = parse('env', args, { shell: { type: 'string' }, imds: { type: 'boolean' } }, 1);
  const shell = (values.shell ?? 'sh') as ShellKind;
  if (!['sh', 'fish', 'powershell'].includes(shell)) throw new BadRequestError(`--shell "${values.shell}": use sh (bash, zsh), fish or powershell.`);
  ctx.out(renderShellEnv(values.imds ? imdsEnvFor(ctx, positionals[0]) : envFor(ctx, positionals[0]), shell));
  return 0;
};
export default env;

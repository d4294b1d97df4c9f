import { BadRequestError } from '../../errors.js';
import { checkProfileName } from '../../http/profile-name.js';
import { loadOrCreateToken } from '../../state/token.js';
import type { CliContext, Command } from '../context.js';
import { localConfig, localEndpoint, regionOf, savedActiveProfile } from '../local-view.js';
import { parse } from '../parse.js';
import { containerEnv, renderShellEnv, type ShellEnv, type ShellKind } from '../shell-env.js';

/** The environment of `credd env [NAME]`, with warnings about what would shadow it. */
export function envFor(ctx: CliContext, name: string | undefined): ShellEnv {
  if (name !== undefined) checkProfileName(name);
  const base = localEndpoint(ctx);
  const config = localConfig(ctx);
  const token = loadOrCreateToken(ctx.paths.tokenFile);
  if (config?.defaultHasKeys) {
    ctx.err(`credd: warning: [default] in ${ctx.awsPaths.credentialsFile} has keys, and the SDKs use them before credd: rename that section (e.g. [management]).\n`);
  }
  const region = regionOf(config, name ?? savedActiveProfile(ctx));
  return containerEnv({ url: name ? `${base}/creds/${encodeURIComponent(name)}` : `${base}/creds`, token, tokenFile: ctx.paths.tokenFile, region });
}

/** `credd env [NAME] [--shell sh|fish|powershell]` */
const env: Command = async (ctx, args) => {
  const { values, positionals } = parse('env', args, { shell: { type: 'string' } }, 1);
  const shell = (values.shell ?? 'sh') as ShellKind;
  if (!['sh', 'fish', 'powershell'].includes(shell)) throw new BadRequestError(`--shell "${values.shell}": use sh (bash, zsh), fish or powershell.`);
  ctx.out(renderShellEnv(envFor(ctx, positionals[0]), shell));
  return 0;
};
export default env;

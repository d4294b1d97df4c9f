import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../daemon/daemon.js';
import { BadRequestError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { checkEcsRelativeUri, loadSettings } from '../../settings.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd daemon`: runs in the foreground until SIGTERM/SIGINT or `credd stop`. */
const daemon: Command = async (ctx, args) => {
  const { values } = parse('daemon', args, { host: { type: 'string' }, port: { type: 'string' }, 'ecs-relative-uri': { type: 'boolean' } });
  // Flags beat the environment and the file; `credd reload` re-reads with the same flags.
  const read = () => {
    const s = loadSettings(ctx.paths.settingsFile, ctx.env);
    if (values.host !== undefined) {
      // As the `host` setting: `credd env` always points the SDKs at 127.0.0.1.
      if (isIP(values.host) !== 4) throw new BadRequestError(`--host "${values.host}" must be an IPv4 address such as 127.0.0.1 (credd env points the SDKs at 127.0.0.1).`);
      s.host = values.host;
    }
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BadRequestError(`--port "${values.port}" must be a number from 0 to 65535.`);
      s.port = port;
    }
    if (values['ecs-relative-uri']) s.ecsRelativeUri = true;
    return s;
  };
  const settings = read();
  checkEcsRelativeUri(settings);
  const log = createLogger({ level: ctx.debug ? 'debug' : settings.logLevel, pretty: ctx.stderrIsTTY });
  const handle = await startDaemon({
    paths: ctx.paths,
    awsPaths: ctx.awsPaths,
    settings,
    endpoints: ctx.endpoints,
    // Where the AWS CLI and every SDK keep IAM Identity Center tokens (they find home through HOME).
    ssoCacheDir: join(ctx.env.HOME || homedir(), '.aws', 'sso', 'cache'),
    now: ctx.now,
    log,
    version: ctx.version,
    pid: ctx.pid,
    reloadSettings: read,
  });
  ctx.onStopSignal(() => void handle.close());
  await handle.closed;
  log.flush?.();
  return 0;
};
export default daemon;

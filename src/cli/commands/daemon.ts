import { homedir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../daemon/daemon.js';
import { pinTickShape } from '../../daemon/tick-shape.js';
import { createLogger } from '../../log.js';
import { checkEcsRelativeUri, loadSettings, settingFlag } from '../../settings.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';

/** `credd daemon`: runs in the foreground until SIGTERM/SIGINT or `credd stop`. */
const daemon: Command = async (ctx, args) => {
  const { values } = parse('daemon', args, { host: { type: 'string' }, port: { type: 'string' }, 'ecs-relative-uri': { type: 'boolean' } });
  // Flags beat the environment and the file; `credd reload` re-reads with the same flags.
  const read = () => {
    const s = loadSettings(ctx.paths.settingsFile, ctx.env);
    // The same rules as the `host` and `port` settings.
    if (values.host !== undefined) s.host = settingFlag('host', values.host) as string;
    if (values.port !== undefined) s.port = settingFlag('port', values.port) as number;
    if (values['ecs-relative-uri']) s.ecsRelativeUri = true;
    return s;
  };
  // Before the daemon can idle: an idle GC would otherwise slow every later request (tick-shape.ts).
  pinTickShape();
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

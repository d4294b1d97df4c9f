import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkEcsRelativeUri, loadSettings, settingFlag } from '../../settings.js';
import type { Command } from '../context.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd daemon` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'daemon',
  options: {
    host: { type: 'string', value: 'ADDR', help: 'listen address (default 127.0.0.1; setting host, CREDD_HOST)' },
    port: { type: 'string', value: 'N', help: 'listen port (default 9911; 0 picks a free one; setting port, CREDD_PORT)' },
    'ecs-relative-uri': { type: 'boolean', help: 'serve /creds without the token, on 169.254.170.2 only (see above)' },
  },
  group: 'Daemon',
  summary: 'run the daemon in the foreground (port 0 picks a free one)',
  about: `Runs the daemon in the foreground (what systemd, launchd and docker run). It serves
credentials on http://ADDR:N (default 127.0.0.1:9911; CREDD_HOST/CREDD_PORT or the
settings file change it; --port 0 picks a free port) and listens for the CLI on a
Unix socket in the runtime directory. Logs go to stderr. Refuses to start when
another daemon of this user is running.
--ecs-relative-uri (setting ecs_relative_uri = true) serves /creds without the token, for
containers that use AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; it requires --host 169.254.170.2
(a container network, docker/compose.yaml) and is refused on any other address. Every
process that reaches that address gets credentials: see docs/configuration.md.
`,
} as const satisfies CommandSpec;

/** `credd daemon`: runs in the foreground until SIGTERM/SIGINT or `credd stop`. */
const daemon: Command = async (ctx, args) => {
  const { values } = parse(spec, args);
  // Flags beat the environment and the file; `credd reload` re-reads with the same flags.
  const read = () => {
    const s = loadSettings(ctx.paths.settingsFile, ctx.env);
    // The same rules as the `host` and `port` settings.
    if (values.host !== undefined) s.host = settingFlag('host', values.host) as string;
    if (values.port !== undefined) s.port = settingFlag('port', values.port) as number;
    if (values['ecs-relative-uri']) s.ecsRelativeUri = true;
    return s;
  };
  // The daemon's own code (fastify, pino, the AWS SDK) only here: the other commands and help
  // read this module's spec without loading it.
  const [{ startDaemon }, { pinTickShape }, { createLogger }] = await Promise.all([
    import('../../daemon/daemon.js'),
    import('../../daemon/tick-shape.js'),
    import('../../log.js'),
  ]);
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

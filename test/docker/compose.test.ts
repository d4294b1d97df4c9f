/**
 * Static checks of docker/compose.yaml and docker/Dockerfile. There is no Docker engine on
 * the machines these tests run on, so nothing here builds an image or starts a container.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { run } from '../../src/cli/run.js';
import { checkEcsRelativeUri, DEFAULT_SETTINGS, ECS_HOST } from '../../src/settings.js';
import { resolvePaths } from '../../src/state/paths.js';
import { fakeCliContext } from '../helpers/cli-context.js';
import { hasCommand, requireOrSkip } from '../helpers/moto.js';

const DOCKER = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'docker');
const DOCKERFILE = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string }>;
  ports?: unknown;
  user?: string;
}
interface Compose {
  services: Record<string, Service>;
  networks: Record<string, { ipam?: { config?: Array<{ subnet?: string }> } }>;
}

/** compose.yaml as data, through PyYAML (the same YAML 1.1 reading docker compose does for these keys). */
function loadCompose(): Compose | undefined {
  const r = spawnSync('python3', ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], {
    input: readFileSync(join(DOCKER, 'compose.yaml')),
    encoding: 'utf8',
  });
  return r.status === 0 ? (JSON.parse(r.stdout) as Compose) : undefined;
}

/** The daemon's home in the image: the mounts must land where credd looks. */
const IMAGE_HOME = '/home/node';

t.test('compose.yaml: credd at the ECS address on its own network, in the relative-URI mode', async (t) => {
  const hasYaml = hasCommand('python3') && spawnSync('python3', ['-c', 'import yaml']).status === 0;
  if (!requireOrSkip(t, 'python3 with PyYAML', hasYaml, 'pip install pyyaml')) return;
  const c = loadCompose()!;
  t.ok(c, 'parses as YAML');
  t.equal(c.networks.credd?.ipam?.config?.[0]?.subnet, '169.254.170.0/24');
  const credd = c.services.credd!;
  t.same(credd.networks, { credd: { ipv4_address: ECS_HOST } });
  t.equal(ECS_HOST, '169.254.170.2');
  t.same(credd.command, ['daemon', '--host', ECS_HOST, '--port', '80', '--ecs-relative-uri'], 'port 80: the SDKs add no port to the relative URI');
  t.equal(credd.ports, undefined, 'never published: the mode has no token');
  const stateDir = resolvePaths({ home: IMAGE_HOME, uid: 1000, platform: 'linux', tmpdir: '/tmp' }).stateDir;
  t.ok(credd.volumes?.includes(`\${HOME}/.aws:${IMAGE_HOME}/.aws:ro`), '~/.aws mounted read-only where credd reads it');
  t.ok(credd.volumes?.includes(`credd-state:${stateDir}`), 'the state volume is where credd keeps its state');
  t.ok(
    credd.volumes?.every((v) => !v.includes('.aws') || v.endsWith(':ro')),
    'no writable ~/.aws',
  );
  t.doesNotThrow(() => checkEcsRelativeUri({ ...DEFAULT_SETTINGS, host: credd.command![2]!, ecsRelativeUri: true }), 'the daemon accepts this command line');

  const app = c.services.app!;
  t.equal(app.environment?.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, '/creds/dev');
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN']) {
    t.notOk(app.environment && k in app.environment, `the app has no ${k}`);
  }
  t.equal(app.volumes, undefined, 'the app has no ~/.aws of its own');
  t.same(app.networks, ['credd']);
});

t.test('Dockerfile: multi-stage, production dependencies only, non-root', async (t) => {
  const stages = DOCKERFILE.split(/^FROM /m).slice(1);
  t.ok(stages.length >= 2, 'multi-stage');
  t.match(stages[0], /npm ci\b/);
  t.match(stages[0], /npm run build/);
  const final = stages[stages.length - 1]!;
  t.match(final, /^node:20-slim\n/, 'a small base');
  t.notMatch(final, /npm (ci|install)(?![^\n]*--omit=dev)/, 'no dev dependencies in the image');
  t.match(DOCKERFILE, /npm ci --omit=dev/);
  t.notMatch(final, /^COPY (\.\/)?src\b/m, 'no sources in the image');
  t.notMatch(final, /^COPY --from=build \/src\/(src|node_modules)\b/m, "nor the build stage's sources or dev dependencies");
  t.match(final, /^USER node$/m, 'runs as the non-root node user');
  t.match(final, `ENV HOME=${IMAGE_HOME}`);
  t.match(final, /^ENTRYPOINT \["node", "\/app\/dist\/bin\/credd\.js"\]$/m);
  t.match(final, /^CMD \["daemon", "--host", "0\.0\.0\.0"\]$/m);
  t.match(final, /ln -s \/app\/dist\/bin\/credd\.js \/usr\/local\/bin\/credd/, '`credd` on PATH for `docker compose exec credd credd mfa`');
  t.match(final, /COPY package\.json \.\//, 'credd reads its version from /app/package.json');
  const ignore = readFileSync(join(DOCKER, 'Dockerfile.dockerignore'), 'utf8');
  t.match(ignore, /^\*$/m);
  for (const keep of ['package.json', 'package-lock.json', 'tsconfig.json', 'src/']) t.match(ignore, `!${keep}`);
});

t.test('the no-token mode is refused on loopback and wildcard addresses', async (t) => {
  for (const host of ['127.0.0.1', '0.0.0.0', '169.254.170.23']) {
    const cli = fakeCliContext();
    t.equal(await run(cli.ctx, ['daemon', '--host', host, '--ecs-relative-uri']), 1, host);
    t.match(cli.stderr(), `ecs_relative_uri serves credentials without a token, so it needs host = 169.254.170.2`);
  }
  const fromFile = fakeCliContext({ root: t.testdir({ config: { credd: { 'config.ini': 'ecs_relative_uri = true\n' } } }) });
  t.equal(await run(fromFile.ctx, ['daemon']), 1, 'the setting alone, with the default host 127.0.0.1');
  t.match(fromFile.stderr(), 'not "127.0.0.1"');
  t.throws(() => checkEcsRelativeUri({ ...DEFAULT_SETTINGS, ecsRelativeUri: true }), { code: 'ConfigError' });
  t.doesNotThrow(() => checkEcsRelativeUri(DEFAULT_SETTINGS), 'off by default');
});

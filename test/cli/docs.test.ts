/**
 * The docs quote real commands and real settings: every `credd …` command in README.md and
 * docs/*.md must parse with the real CLI parser, every settings key in docs/configuration.md
 * must exist with the default it claims, and every link between the docs must land.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/run.js';
import { DEFAULT_SETTINGS, loadSettings } from '../../src/settings.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f)),
].filter((f) => existsSync(f));
/** Fences whose lines are commands or config (`text` is for output and diagrams, `console` for sessions). */
const SHELL_FENCES = new Set(['sh', 'bash', 'zsh', 'fish', 'powershell', 'ini', '']);
/** Words after which `credd` is an argument, not a command (`command -v credd`, `journalctl -u credd`). */
const NOT_A_COMMAND_AFTER = /(?:-v|-q|-u|Get-Command|which|type|stop|start|restart|status)\s+$/;

/** `credd …` command lines in one piece of shell text (the rest of the line after `credd`, up to a shell operator). */
export function creddCommands(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?<=^|[\s"'(=|;&])credd(?=\s|$)/g)) {
    if (NOT_A_COMMAND_AFTER.test(text.slice(0, m.index))) continue;
    const rest = text.slice(m.index! + 5);
    if (/^\s+credd\s/.test(rest)) continue; // `docker compose exec credd credd mfa`: the service name
    const words: string[] = [];
    for (const w of rest.trim().split(/\s+/).filter(Boolean)) {
      if (/^(\||\|\||&&|;|>.*|2>.*|#.*)$/.test(w)) break;
      const cut = w.replace(/[)"'`].*$/, '');
      if (cut) words.push(cut);
      if (cut !== w) break;
    }
    out.push(['credd', ...words].join(' '));
  }
  return out;
}

/** In inline code, a command starts the span or follows a shell operator (not `Another credd daemon is…`). */
const INLINE_START = /(?:^|\$\(|\||&&|;|=)\s*$/;

/**
 * Every `credd …` command quoted in a markdown file: console lines after `$ `, shell/ini/plain
 * fences (without their comments), inline code. `reference`: an inline `credd VERB` naming a verb.
 */
function commandsOf(file: string): Array<{ where: string; command: string; reference: boolean }> {
  const found: Array<{ where: string; command: string; reference: boolean }> = [];
  let fence: string | undefined;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const where = `${file.slice(ROOT.length + 1)}:${i + 1}`;
      const f = /^\s*```(\w*)/.exec(line);
      if (f) {
        fence = fence === undefined ? f[1]! : undefined;
        return;
      }
      if (fence === undefined) {
        for (const m of line.matchAll(/`([^`]+)`/g)) {
          const piece = m[1]!;
          const at = piece.search(/(?<![\w$-])credd\s/);
          if (at === -1 || !INLINE_START.test(piece.slice(0, at))) continue;
          for (const command of creddCommands(piece)) found.push({ where, command, reference: /^credd [\w-]+$/.test(command) });
        }
        return;
      }
      const session = /^\s*\$ (.*)$/.exec(line);
      const piece = fence === 'console' ? (session ? session[1]! : '') : SHELL_FENCES.has(fence) ? line : '';
      for (const command of creddCommands(piece.replace(/(^|\s)#.*$/, ''))) found.push({ where, command, reference: false });
    });
  return found;
}

/**
 * Usage syntax (`env [NAME] [--shell sh|fish]`, `service install|uninstall`) expands to
 * concrete commands: the required words alone and with each optional group, every alternative.
 */
export function expandUsage(command: string): string[][] {
  const groups = [...command.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
  const required = command.replace(/\s*\[[^\]]+\]/g, '');
  const words = (s: string) =>
    s
      .split(/\s+/)
      .filter((w) => w && !/^(\.\.\.|…)$/.test(w))
      .map((w) => w.replace(/(\.\.\.|…)$/, ''));
  const alternatives = (ws: string[]): string[][] =>
    ws.reduce<string[][]>((acc, w) => acc.flatMap((a) => (w.includes('|') ? w.split('|').map((x) => [...a, x]) : [[...a, w]])), [[]]);
  const base = words(required).slice(1);
  return [alternatives(base), ...groups.map((g) => alternatives([...base, ...words(g)]))].flat();
}

const SENTINEL = 'docs-test: the command got past its argument parsing';

/** A context that lets `run` print, and stops a command at its first real dependency. */
function parseOnlyContext(stderr: string[]): CliContext {
  return new Proxy({} as CliContext, {
    get(_target, key) {
      if (key === 'out') return () => undefined;
      if (key === 'err') return (s: string) => void stderr.push(s);
      if (key === 'debug') return false;
      if (key === 'version') return '0.0.0';
      if (key === 'then') return undefined;
      throw new Error(SENTINEL);
    },
  });
}

/** Undefined when `argv` parses; the error message otherwise. */
async function parseError(argv: string[]): Promise<string | undefined> {
  const stderr: string[] = [];
  const code = await run(parseOnlyContext(stderr), argv);
  const text = stderr.join('');
  return code === 0 || text.includes(SENTINEL) ? undefined : `exit ${code}: ${text.trim()}`;
}

t.test('the extractor finds what the docs quote', async (t) => {
  t.same(creddCommands('eval "$(credd env)"'), ['credd env']);
  t.same(creddCommands('credd env --shell fish | source'), ['credd env --shell fish']);
  t.same(creddCommands('docker compose exec credd credd mfa 123456 --profile dev'), ['credd mfa 123456 --profile dev']);
  t.same(creddCommands('command -v credd >/dev/null && eval "$(credd env)"'), ['credd env']);
  t.same(creddCommands('credential_process = credd credential-process dev'), ['credd credential-process dev']);
  t.same(creddCommands('credd exec prod -- aws s3 ls   # comment'), ['credd exec prod -- aws s3 ls']);
  t.same(creddCommands('journalctl --user -u credd'), []);
  t.same(expandUsage('credd env [NAME] [--shell sh|fish]'), [['env'], ['env', 'NAME'], ['env', '--shell', 'sh'], ['env', '--shell', 'fish']]);
  t.same(expandUsage('credd service install|status [--dry-run]'), [
    ['service', 'install'],
    ['service', 'status'],
    ['service', 'install', '--dry-run'],
    ['service', 'status', '--dry-run'],
  ]);
  t.same(expandUsage('credd exec NAME -- CMD [ARGS...]'), [
    ['exec', 'NAME', '--', 'CMD'],
    ['exec', 'NAME', '--', 'CMD', 'ARGS'],
  ]);
});

t.test('the parse check has teeth', async (t) => {
  t.equal(await parseError(['env', '--shell', 'fish']), undefined);
  t.equal(await parseError(['status', '--json']), undefined);
  t.match(await parseError(['env', '--bogus']), /exit 2: .*--bogus/);
  t.match(await parseError(['nosuchverb']), /exit 2: .*Unknown command/);
  t.match(await parseError(['switch', 'a', 'b']), /exit 2: .*Too many arguments/);
  t.match(await parseError(['exec', 'dev']), /exit 2/);
});

t.test('every credd command quoted in README.md and docs/ parses', async (t) => {
  const all = DOCS.flatMap(commandsOf);
  t.ok(all.length >= 60, `found ${all.length} quoted commands in ${DOCS.length} files`);
  for (const { where, command, reference } of all) {
    // `credd switch` in a sentence names the verb: it must exist, with its own help.
    for (const argv of reference ? [[command.split(' ')[1]!, '--help']] : expandUsage(command)) {
      const err = await parseError(argv);
      if (err) t.fail(`${where}: \`credd ${argv.join(' ')}\` does not parse (${err})`);
    }
  }
  const verbs = new Set(all.map((c) => c.command.split(' ')[1]));
  for (const v of [
    'daemon',
    'start',
    'stop',
    'status',
    'mfa',
    'switch',
    'profiles',
    'env',
    'exec',
    'credential-process',
    'refresh',
    'reload',
    'logout',
    'doctor',
    'prompt',
    'service',
  ]) {
    t.ok(verbs.has(v), `the docs show \`credd ${v}\``);
  }
});

t.test('docs/configuration.md lists every settings key with its real default', async (t) => {
  const text = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const section = text.slice(text.indexOf('## Settings'), text.indexOf('### ecs_relative_uri'));
  const rows = [...section.matchAll(/^\| `([a-z_]+)` \|\s*(`[A-Z_]+`)?\s*\| `([^`]*)` \|/gm)].map((m) => ({
    key: m[1]!,
    env: m[2]?.replace(/`/g, ''),
    value: m[3]!,
  }));
  t.equal(rows.length, Object.keys(DEFAULT_SETTINGS).length, 'one row per setting');
  const dir = t.testdir();
  const defaults = loadSettings(join(dir, 'none.ini'), {});
  for (const row of rows) {
    const explicit = t.testdir({ 'config.ini': `${row.key} = ${row.value}\n` });
    t.same(loadSettings(join(explicit, 'config.ini'), {}), defaults, `${row.key} = ${row.value} is the default`);
    if (row.env) {
      const other = row.key === 'log_level' ? 'debug' : row.key === 'port' ? '9922' : row.key === 'keyring' ? 'none' : '10.1.2.3';
      t.not(loadSettings(join(dir, 'none.ini'), { [row.env]: other }), defaults, `${row.env} changes ${row.key}`);
    }
  }
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

t.test('links between the docs land on a file and a heading', async (t) => {
  // Owned by other pages' authors; linked before they exist is tolerated, nothing else.
  const pending = new Set(['security.md', 'reliability.md', 'performance.md']);
  for (const file of DOCS) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const dest = path ? resolve(dirname(file), path) : file;
      if (!existsSync(dest)) {
        if (!pending.has(basename(path))) t.fail(`${file.slice(ROOT.length + 1)}: link to missing ${target}`);
        continue;
      }
      if (anchor && dest.endsWith('.md')) {
        const headings = [...readFileSync(dest, 'utf8').matchAll(/^#+ (.+)$/gm)].map((h) => slug(h[1]!));
        t.ok(headings.includes(anchor), `${file.slice(ROOT.length + 1)}: #${anchor} exists in ${path || 'itself'}`);
      }
    }
  }
});

/**
 * Help is generated from each command's spec, and the parser reads the same spec: every option a
 * command accepts is in its help, and every option its help names is one it accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { CommandSpec } from '../../src/cli/command-spec.js';
import { overview, usageOf, verbHelp } from '../../src/cli/help.js';
import { COMMANDS, helpText, run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const specs = new Map<string, CommandSpec>();
for (const [verb, load] of Object.entries(COMMANDS)) specs.set(verb, (await load()).spec);
const GLOBAL = new Set(['help', 'version', 'debug']);
/** Words a command needs before its options are read: `credd sso roles …`. */
const before: Record<string, string[]> = { sso: ['roles'] };

t.test('usage, verb help and the overview, from a spec', async (t) => {
  const spec: CommandSpec = {
    name: 'demo',
    args: '[NAME]',
    positionals: 1,
    options: {
      json: { type: 'boolean', help: 'print JSON' },
      profile: { type: 'string', short: 'p', value: 'P', help: 'which profile' },
      region: { type: 'string', help: 'r' },
    },
    group: 'Setup',
    summary: 'a demo',
    about: 'Does a demo.\n\n',
  };
  t.equal(usageOf(spec), 'demo [NAME] [--json] [--profile P] [--region VALUE]');
  t.equal(
    verbHelp(spec),
    'Usage: credd demo [NAME] [--json] [--profile P] [--region VALUE]\n\nDoes a demo.\n\nOptions:\n  --json           print JSON\n  -p, --profile P  which profile\n  --region VALUE   r\n',
  );
  t.equal(verbHelp({ ...spec, options: {} }), 'Usage: credd demo [NAME]\n\nDoes a demo.\n', 'no Options section without options');
  const all = overview([spec, { ...spec, name: 'short', args: undefined, options: undefined, group: 'Daemon', summary: 'fits' }]);
  t.match(all, /\nDaemon\n {2}short {29}fits\n/, 'a short usage: the summary in the column');
  t.match(all, /\nSetup\n {2}demo \[NAME\] \[--json\] \[--profile P\] \[--region VALUE\]\n {36}a demo\n/, 'a long one: on the next line');
  t.match(all, /\nKeys\n\n/, 'an empty group lists nothing');
});

t.test('every command: its spec is its own, and help lists every option it declares', async (t) => {
  const all = await helpText();
  for (const [verb, spec] of specs) {
    t.equal(spec.name, verb);
    const help = await helpText(verb);
    t.ok(help.startsWith(`Usage: credd ${usageOf(spec)}\n`), verb);
    t.match(all, `  ${usageOf(spec)}`, `${verb} in the overview`);
    for (const [name, o] of Object.entries(spec.options ?? {})) {
      t.match(help, new RegExp(`^ {2}${o.short ? `-${o.short}, ` : ''}--${name}\\b.*\\S`, 'm'), `${verb} --${name}: a line of its own`);
    }
  }
});

t.test('every option a help text names is one that command (or the command named before it) accepts', async (t) => {
  const texts: Array<[string, string]> = [...specs].map(([verb]) => [verb, '']);
  for (const [verb] of texts) {
    for (const line of (await helpText(verb)).split('\n')) {
      for (const m of line.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) {
        const name = m[1]!;
        if (GLOBAL.has(name)) continue;
        const before = line.slice(0, m.index);
        // `systemctl --user` in service's help: another program's option.
        if (/\b(systemctl|launchctl|kubectl|aws)\s(?!.*\bcredd\s)/.test(before)) continue;
        // `credd env --imds` in doctor's help: an option of env.
        const named = [...before.matchAll(/credd ([a-z-]+)/g)].at(-1)?.[1];
        const owner = named && specs.has(named) ? named : verb;
        t.ok(Object.hasOwn(specs.get(owner)!.options ?? {}, name), `${verb}'s help names --${name}, which credd ${owner} accepts`);
      }
    }
  }
  const overviewText = await helpText();
  for (const m of overviewText.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) {
    const name = m[1]!;
    t.ok(GLOBAL.has(name) || [...specs.values()].some((s) => Object.hasOwn(s.options ?? {}, name)), `--${name} in the overview is accepted somewhere`);
  }
});

t.test('every command parses with its spec: an unknown option is refused before anything happens', async (t) => {
  for (const verb of specs.keys()) {
    const cli = fakeCliContext();
    const code = await run(cli.ctx, [verb, ...(before[verb] ?? []), '--zz-not-an-option', ...(verb === 'exec' ? ['dev', '--', 'true'] : [])]);
    t.equal(code, 2, verb);
    t.match(cli.stderr(), /Unknown option '--zz-not-an-option'/, verb);
    t.match(cli.stderr(), `credd ${verb} --help`, `${verb}: points at its help`);
    t.same(cli.calls, [], `${verb}: no daemon call`);
  }
});

t.test('and every option it declares is one it parses', async (t) => {
  for (const [verb, spec] of specs) {
    // `credd daemon` would start one: its options are checked in run.test.ts and daemon tests.
    if (verb === 'daemon') continue;
    for (const [name, o] of Object.entries(spec.options ?? {})) {
      const cli = fakeCliContext();
      await run(cli.ctx, [verb, ...(before[verb] ?? []), `--${name}`, ...(o.type === 'string' ? ['x'] : [])]);
      t.notMatch(cli.stderr(), /Unknown option|Too many arguments/, `${verb} --${name}`);
    }
  }
});

t.test('commands parse only through parse(spec, …): no second option list anywhere', async (t) => {
  const dir = join(ROOT, 'src', 'cli', 'commands');
  for (const f of readdirSync(dir)) {
    const src = readFileSync(join(dir, f), 'utf8');
    t.notMatch(src, /parseArgs\(/, `${f}: no parseArgs of its own`);
    for (const m of src.matchAll(/(?<![.\w])parse\(([^,)]+)/g)) t.equal(m[1], 'spec', `${f}: parse(${m[1]}, …)`);
    t.match(src, /export const spec = \{/, `${f}: declares its spec`);
  }
});

import t from 'tap';
import type { CommandSpec } from '../../src/cli/command-spec.js';
import { parse } from '../../src/cli/parse.js';
import { BadRequestError } from '../../src/errors.js';

const spec = (name: string, options: CommandSpec['options'] = {}, positionals = 0): CommandSpec => ({
  name,
  options,
  positionals,
  group: 'Everyday',
  summary: '',
  about: '',
});
const mfa = spec('mfa', { profile: { type: 'string', short: 'p', help: '' } }, 1);
const status = spec('status', { json: { type: 'boolean', help: '' } });

t.test('options and positionals', async (t) => {
  const { values, positionals } = parse(mfa, ['123456', '--profile', 'dev']);
  t.same(positionals, ['123456']);
  t.equal(values.profile, 'dev');
  t.equal(parse(mfa, ['-p', 'x']).values.profile, 'x');
  t.same(parse(status, ['--json']).values, { json: true });
  t.same(parse(spec('reload', undefined), []).positionals, []);
});

t.test('a bad option: BadRequest (exit 2) with parseArgs’ first line and a pointer to --help', async (t) => {
  const e = t.throws(() => parse(status, ['--nope'])) as BadRequestError;
  t.type(e, BadRequestError);
  t.equal(e.exitCode, 2);
  t.match(e.message, /^Unknown option '--nope'\..* \(see `credd status --help`\)$/);
  t.notMatch(e.message, /\n/);
  const missing = t.throws(() => parse(mfa, ['--profile'])) as BadRequestError;
  t.match(missing.message, /--profile.*\(see `credd mfa --help`\)$/);
});

t.test('too many positionals: BadRequest naming the extra ones', async (t) => {
  const e = t.throws(() => parse(spec('switch', {}, 1), ['a', 'b', 'c'])) as BadRequestError;
  t.type(e, BadRequestError);
  t.equal(e.message, 'Too many arguments for `credd switch`: b c (see `credd switch --help`)');
  const none = t.throws(() => parse(spec('reload'), ['x'])) as BadRequestError;
  t.equal(none.message, 'Too many arguments for `credd reload`: x (see `credd reload --help`)');
});

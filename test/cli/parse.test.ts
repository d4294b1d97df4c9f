import t from 'tap';
import { parse } from '../../src/cli/parse.js';
import { BadRequestError } from '../../src/errors.js';

t.test('options and positionals', async (t) => {
  const { values, positionals } = parse('mfa', ['123456', '--profile', 'dev'], { profile: { type: 'string', short: 'p' } }, 1);
  t.same(positionals, ['123456']);
  t.equal(values.profile, 'dev');
  t.equal(parse('mfa', ['-p', 'x'], { profile: { type: 'string', short: 'p' } }, 1).values.profile, 'x');
  t.same(parse('status', ['--json'], { json: { type: 'boolean' } }).values, { json: true });
  t.same(parse('reload', [], {}).positionals, []);
});

t.test('a bad option: BadRequest (exit 2) with parseArgs’ first line and a pointer to --help', async (t) => {
  const e = t.throws(() => parse('status', ['--nope'], { json: { type: 'boolean' } })) as BadRequestError;
  t.type(e, BadRequestError);
  t.equal(e.exitCode, 2);
  t.match(e.message, /^Unknown option '--nope'\..* \(see `credd status --help`\)$/);
  t.notMatch(e.message, /\n/);
  const missing = t.throws(() => parse('mfa', ['--profile'], { profile: { type: 'string' } })) as BadRequestError;
  t.match(missing.message, /--profile.*\(see `credd mfa --help`\)$/);
});

t.test('too many positionals: BadRequest naming the extra ones', async (t) => {
  const e = t.throws(() => parse('switch', ['a', 'b', 'c'], {}, 1)) as BadRequestError;
  t.type(e, BadRequestError);
  t.equal(e.message, 'Too many arguments for `credd switch`: b c (see `credd switch --help`)');
  const none = t.throws(() => parse('reload', ['x'], {})) as BadRequestError;
  t.equal(none.message, 'Too many arguments for `credd reload`: x (see `credd reload --help`)');
});

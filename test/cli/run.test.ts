import t from 'tap';
import { COMMANDS, helpText, run, wantsDebug, withoutDebug } from '../../src/cli/run.js';
import { CreddError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const VERBS = Object.keys(COMMANDS);
const HELP = await helpText();

t.test('withoutDebug and wantsDebug look only before --', async (t) => {
  t.same(withoutDebug(['--debug', 'status', '--json']), ['status', '--json']);
  t.same(withoutDebug(['status', '--debug']), ['status']);
  t.same(withoutDebug(['exec', 'dev', '--debug', '--', 'sh', '--debug']), ['exec', 'dev', '--', 'sh', '--debug'], 'the command’s own --debug stays');
  t.same(withoutDebug(['exec', 'dev', '--', '--debug']), ['exec', 'dev', '--', '--debug']);
  t.same(withoutDebug([]), []);
  t.equal(wantsDebug(['status', '--debug']), true);
  t.equal(wantsDebug(['exec', 'dev', '--', 'x', '--debug']), false);
  t.equal(wantsDebug(['status']), false);
});

t.test('help: no verb, --help, -h, help', async (t) => {
  for (const argv of [[], ['--help'], ['-h'], ['help'], ['help', 'no-such-verb'], ['help', 'constructor'], ['--debug']]) {
    const cli = fakeCliContext();
    t.equal(await run(cli.ctx, argv), 0, argv.join(' '));
    t.equal(cli.stdout(), HELP, argv.join(' '));
    t.equal(cli.stderr(), '');
  }
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['help', 'mfa']), 0);
  t.equal(cli.stdout(), await helpText('mfa'));
  t.not(await helpText('mfa'), HELP);
  t.equal(await helpText('no-such-verb'), HELP, 'an unknown verb gets the overview');
});

t.test('--help per verb prints that verb’s help and does nothing else', async (t) => {
  for (const verb of VERBS) {
    for (const flag of ['--help', '-h']) {
      const cli = fakeCliContext();
      t.equal(await run(cli.ctx, [verb, 'arg', flag]), 0, `${verb} ${flag}`);
      t.equal(cli.stdout(), await helpText(verb));
      t.match(cli.stdout(), `Usage: credd ${verb}`);
      t.same(cli.calls, [], 'no daemon call');
    }
  }
});

t.test('--help after -- belongs to the command that exec runs', async (t) => {
  const cli = fakeCliContext();
  // No daemon: exec fails on its first call instead of printing help.
  t.equal(await run(cli.ctx, ['exec', 'dev', '--', 'ls', '--help']), 3);
  t.equal(cli.stdout(), '');
  t.same(
    cli.calls.map((c) => c.path),
    ['/credentials/dev'],
  );
});

t.test('--version and -v', async (t) => {
  for (const flag of ['--version', '-v']) {
    const cli = fakeCliContext();
    t.equal(await run(cli.ctx, [flag]), 0);
    t.equal(cli.stdout(), 'credd 0.0.0-test\n');
  }
});

t.test('an unknown verb exits 2 with one line on stderr', async (t) => {
  for (const verb of ['nope', 'constructor', 'toString', '__proto__', '--json']) {
    const cli = fakeCliContext();
    t.equal(await run(cli.ctx, [verb]), 2, verb);
    t.equal(cli.stderr(), `credd: Unknown command "${verb}": run \`credd --help\` for the list.\n`);
    t.equal(cli.stdout(), '');
  }
});

t.test('errors: one line and the error’s exit code; the stack only with --debug', async (t) => {
  const failing = () => {
    throw new CreddError('MfaRequired', 'Profile "dev" needs an MFA session: run `credd mfa`.', 403);
  };
  const cli = fakeCliContext({ routes: { 'POST /refresh': failing } });
  t.equal(await run(cli.ctx, ['refresh', '--debug']), 1);
  t.equal(
    cli.stderr(),
    'credd: Profile "dev" needs an MFA session: run `credd mfa`.\n',
    '--debug is removed from the verb’s arguments; no stack without ctx.debug',
  );

  const debug = fakeCliContext({ routes: { 'POST /refresh': failing } });
  debug.ctx.debug = true;
  t.equal(await run(debug.ctx, ['refresh']), 1);
  const [first, ...stack] = debug.stderr().split('\n');
  t.equal(first, 'credd: Profile "dev" needs an MFA session: run `credd mfa`.');
  t.match(stack.join('\n'), /^MfaRequired: .*\n\s+at /, 'then the stack');

  const internal = fakeCliContext({
    routes: {
      'GET /profiles': () => {
        throw new TypeError('x is undefined\nmore');
      },
    },
  });
  t.equal(await run(internal.ctx, ['profiles']), 1);
  t.equal(internal.stderr(), 'credd: Internal error: x is undefined\n');
});

t.test('with --debug, a thrown non-Error or an Error without a stack prints just the line', async (t) => {
  const str = fakeCliContext({
    routes: {
      'POST /reload': () => {
        throw 'a string';
      },
    },
  });
  str.ctx.debug = true;
  t.equal(await run(str.ctx, ['reload']), 1);
  t.equal(str.stderr(), 'credd: Internal error: a string\n');

  const noStack = fakeCliContext({
    routes: {
      'POST /reload': () => {
        throw Object.assign(new Error('bare'), { stack: undefined });
      },
    },
  });
  noStack.ctx.debug = true;
  t.equal(await run(noStack.ctx, ['reload']), 1);
  t.equal(noStack.stderr(), 'credd: Internal error: bare\n');
});

t.test('a bad option exits 2 and points at the verb’s help', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['status', '--nope']), 2);
  t.match(cli.stderr(), /^credd: Unknown option '--nope'.* \(see `credd status --help`\)\n$/);
});

t.test('daemon: a bad option is refused before anything starts', async (t) => {
  const cli = fakeCliContext();
  t.equal(await run(cli.ctx, ['daemon', '--bogus']), 2);
  t.match(cli.stderr(), "Unknown option '--bogus'");
  for (const [flag, value] of [
    ['--host', '::1'],
    ['--host', 'localhost'],
    ['--port', '70000'],
  ]) {
    t.equal(await run(cli.ctx, ['daemon', flag!, value!]), 2, `${flag} ${value}`);
    t.match(cli.stderr(), new RegExp(`${flag} "${value}" must be`));
  }
  t.equal(cli.stopHandlers.length, 0);
});

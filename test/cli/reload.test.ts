import t from 'tap';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

t.test('reload: ok', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /reload': () => ({ ok: true }) } });
  t.equal(await run(cli.ctx, ['reload']), 0);
  t.equal(cli.stdout(), 'AWS config reloaded\n');
  t.same(cli.calls, [{ method: 'POST', path: '/reload', body: {} }]);
});

t.test('a config that does not parse: the daemon’s reason, exit 1', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /reload': () => ({ ok: false, error: '/home/u/.aws/config line 3 is neither [section] nor key = value' }) } });
  t.equal(await run(cli.ctx, ['reload']), 1);
  t.equal(cli.stdout(), '');
  t.equal(cli.stderr(), 'credd: /home/u/.aws/config line 3 is neither [section] nor key = value (the daemon keeps the last good config)\n');
  const bare = fakeCliContext({ routes: { 'POST /reload': () => ({ ok: false }) } });
  t.equal(await run(bare.ctx, ['reload']), 1);
  t.equal(bare.stderr(), 'credd: the AWS config did not load (the daemon keeps the last good config)\n');
});

t.test('no daemon: exit 3; arguments: exit 2', async (t) => {
  t.equal(await run(fakeCliContext().ctx, ['reload']), 3);
  t.equal(await run(fakeCliContext().ctx, ['reload', 'x']), 2);
});

t.test('changed settings are named with how to apply them; a broken settings file is an error', async (t) => {
  const cli = fakeCliContext({ routes: { 'POST /reload': () => ({ ok: true, settings: { changed: ['port', 'refresh_margin_seconds'] } }) } });
  t.equal(await run(cli.ctx, ['reload']), 0);
  t.equal(
    cli.stdout(),
    'AWS config reloaded\nsettings changed (port, refresh_margin_seconds): restart the daemon to apply them (credd stop && credd start, or systemctl --user restart credd)\n',
  );
  const bad = fakeCliContext({ routes: { 'POST /reload': () => ({ ok: true, settings: { error: 'Unknown setting "prot"', changed: [] } }) } });
  t.equal(await run(bad.ctx, ['reload']), 1);
  t.match(
    bad.stderr(),
    /^credd: AWS config reloaded, but the settings file is wrong: Unknown setting "prot" \(the daemon keeps the settings it started with\)\n$/,
  );
});

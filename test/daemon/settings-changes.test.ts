import t from 'tap';
import { diffSettings } from '../../src/daemon/settings-changes.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_SETTINGS } from '../../src/settings.js';

t.test('names the keys that differ, in settings-file spelling', async (t) => {
  const running = { ...DEFAULT_SETTINGS };
  t.same(
    diffSettings(running, () => ({ ...running })),
    { changed: [] },
  );
  t.same(
    diffSettings(running, () => ({ ...running, port: 9922, refreshMarginSeconds: 900, imds: !running.imds })),
    { changed: ['port', 'refresh_margin_seconds', 'imds'] },
  );
});

t.test('a settings file that does not load is reported, not thrown', async (t) => {
  const out = diffSettings({ ...DEFAULT_SETTINGS }, () => {
    throw new ConfigError('Unknown setting "prot" in config.ini');
  });
  t.same(out, { error: 'Unknown setting "prot" in config.ini', changed: [] });
});

t.test('without a way to re-read, nothing changed', async (t) => {
  t.same(diffSettings({ ...DEFAULT_SETTINGS }, undefined), { changed: [] });
});

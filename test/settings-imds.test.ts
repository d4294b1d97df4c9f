/** The `imds` setting: IMDS on by default, off for token-only access. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadSettings } from '../src/settings.js';

t.test('imds defaults to true and reads true/false from the settings file', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'config.ini');
  t.equal(loadSettings(file, {}).imds, true, 'no file');
  writeFileSync(file, 'imds = false\n');
  t.equal(loadSettings(file, {}).imds, false);
  writeFileSync(file, 'imds = true\n');
  t.equal(loadSettings(file, {}).imds, true);
  writeFileSync(file, 'imds = maybe\n');
  t.throws(() => loadSettings(file, {}), { code: 'ConfigError', message: /imds = "maybe" must be true or false/ });
});

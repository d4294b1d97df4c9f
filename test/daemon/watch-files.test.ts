import t from 'tap';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchFiles } from '../../src/daemon/watch-files.js';

async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

t.test("an edit, or an editor's replace-by-rename, is seen; other files in the directory are not", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'credd-watch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config');
  writeFileSync(config, 'a');
  let changes = 0;
  const w = watchFiles([config, join(dir, 'credentials'), join(dir, 'missing-dir', 'x')], () => void changes++, 20);
  t.teardown(() => w.close());
  writeFileSync(join(dir, 'unrelated'), 'x');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(changes, 0, 'an unrelated file changes nothing');
  writeFileSync(config, 'b');
  t.ok(await until(() => changes === 1), 'a write is one (debounced) change');
  writeFileSync(join(dir, 'config.tmp'), 'c');
  renameSync(join(dir, 'config.tmp'), config);
  t.ok(await until(() => changes === 2), 'a replace by rename too');
  mkdirSync(join(dir, 'sub'));
  w.close();
  writeFileSync(config, 'd');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(changes, 2, 'nothing after close');
});

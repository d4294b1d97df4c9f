import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { importCycles, localImports, sourceFiles } from './import-cycles.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

t.test('finds a loop through type-only, re-export and dynamic imports, and nothing in a tree without one', async (t) => {
  const dir = t.testdir({
    'a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
    'b.ts': "export { c } from './sub/c.js';\nexport type B = string;\n",
    sub: { 'c.ts': "export const c = () => import('../a.js');\n" },
    'd.ts': "import { c } from './sub/c.js';\nimport cron from 'node-cron';\nexport const d = [c, cron];\n",
  });
  const files = sourceFiles(dir);
  t.equal(files.length, 4);
  t.same(localImports(join(dir, 'd.ts')), [join(dir, 'sub', 'c.ts')], 'packages are not followed');
  t.same(importCycles(dir, files), [['a.ts', 'b.ts', 'sub/c.ts', 'a.ts']]);
  mkdirSync(join(dir, 'e'));
  writeFileSync(join(dir, 'sub', 'c.ts'), 'export const c = 1;\n');
  t.same(importCycles(dir, sourceFiles(dir)), []);
});

t.test('no import loop in src/', async (t) => {
  const cycles = importCycles(SRC, sourceFiles(SRC));
  t.ok(sourceFiles(SRC).length > 50, 'the whole of src/ is read');
  // CredsSource moves to a leaf module with the lead's src/http/ work (issue 16, item 4); until then that loop is a todo.
  const http = (c: string[]) => c.every((f) => f.startsWith('http/'));
  t.same(
    cycles.filter((c) => !http(c)),
    [],
    'no loop outside src/http/',
  );
  t.same(cycles.filter(http), [], 'no loop in src/http/', { todo: "CredsSource in a leaf module (the lead's src/http/ part of item 4)" });
});

t.test('the CLI takes the control types from the contract, none from src/daemon/', async (t) => {
  const typeImport = /\bimport\s+type\s[^'";]*?\sfrom\s+['"]([^'"]+)['"]/g;
  const reaching = sourceFiles(join(SRC, 'cli')).filter((f) => [...readFileSync(f, 'utf8').matchAll(typeImport)].some((m) => /(^|\/)daemon\//.test(m[1]!)));
  t.same(reaching, []);
});

/**
 * pinTickShape keeps process.nextTick's inline caches monomorphic through an idle full GC, which
 * otherwise frees the shapes they remember and leaves them megamorphic (slow) for good. Checked
 * in a child node with V8's %DebugPrint of nextTick's feedback.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t, { type Test } from 'tap';
import ts from 'typescript';
import { pinTickShape } from '../../src/daemon/tick-shape.js';

const source = new URL('../../src/daemon/tick-shape.ts', import.meta.url);

/** The states of nextTick's literal-definition caches after warm-up, an idle full GC, and more ticks. */
function icStates(t: Test, pin: boolean): Promise<string[]> {
  // Plain node, no loader: the module as JavaScript.
  const js = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(t.testdir({ 'tick-shape.mjs': js }), 'tick-shape.mjs');
  const script = `import { pinTickShape } from ${JSON.stringify(pathToFileURL(file).href)};
    ${pin ? 'pinTickShape();' : ''}
    const spin = () => new Promise((r) => setImmediate(r));
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 50; i++) process.nextTick(() => undefined);
      await spin();
    }
    await spin();
    globalThis.gc();
    globalThis.gc();
    for (let i = 0; i < 50; i++) process.nextTick(() => undefined);
    await spin();
    %DebugPrint(process.nextTick);`;
  // V8 prints to stdout, which may drop what a pipe cannot take at once: a file takes it all.
  const outFile = join(dirname(file), 'debug.txt');
  const fd = openSync(outFile, 'w');
  return new Promise<string[]>((resolve, reject) => {
    // As the daemon runs, without V8's coverage mode (tap's process tracking would turn it on in
    // the child), which keeps these caches megamorphic with or without the pin.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', _TAPJS_PROCESSINFO_COVERAGE_: '0' };
    delete env.NODE_V8_COVERAGE;
    const child = spawn(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], {
      env,
      stdio: ['ignore', fd, 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child exited ${code}`));
      resolve([...readFileSync(outFile, 'utf8').matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!));
    });
  }).finally(() => closeSync(fd));
}

t.test('with the pin, an idle GC leaves nextTick on its fast path', async (t) => {
  const pinned = await icStates(t, true);
  if (pinned.length === 0) return void t.pass('this node prints no literal-definition feedback for nextTick', { skip: 'nothing to check' });
  t.ok(pinned.includes('MONOMORPHIC'), `feedback was recorded: ${pinned.join(', ')}`);
  t.notOk(pinned.includes('MEGAMORPHIC'), 'and no cache went megamorphic');
  const unpinned = await icStates(t, false);
  // What the pin prevents; informational, as a later V8 may not behave this way.
  t.comment(`without the pin: ${unpinned.join(', ')}`);
});

t.test('pinTickShape is idempotent', async (t) => {
  pinTickShape();
  pinTickShape();
  let ran = false;
  await new Promise<void>((r) => process.nextTick(() => r(void (ran = true))));
  t.equal(ran, true, 'nextTick still works');
});

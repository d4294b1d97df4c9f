import t from 'tap';
import { silenceNodeVersionWarning } from '../../src/aws/quiet-sdk.js';

// Stand in for the real emitWarning before the filter captures it as its "original".
const passed: unknown[][] = [];
const real = process.emitWarning;
process.emitWarning = ((...args: unknown[]) => {
  passed.push(args);
}) as typeof process.emitWarning;
t.teardown(() => {
  process.emitWarning = real;
});

silenceNodeVersionWarning();
const filter = process.emitWarning;

t.test('drops the SDK’s NodeVersionSupportWarning, as a string or an Error', async (t) => {
  passed.length = 0;
  process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after ...');
  process.emitWarning(new Error('NodeVersionSupportWarning: as an error'));
  t.same(passed, []);
});

t.test('lets every other warning through with all its arguments', async (t) => {
  passed.length = 0;
  const err = new Error('something else');
  process.emitWarning('DeprecationWarning-like text', 'DeprecationWarning', 'DEP0001');
  process.emitWarning(err);
  process.emitWarning('a warning that mentions NodeVersionSupportWarning later');
  process.emitWarning(undefined as unknown as string);
  t.same(passed, [
    ['DeprecationWarning-like text', 'DeprecationWarning', 'DEP0001'],
    [err],
    ['a warning that mentions NodeVersionSupportWarning later'],
    [undefined],
  ]);
});

t.test('installing twice does not wrap twice', async (t) => {
  silenceNodeVersionWarning();
  t.equal(process.emitWarning, filter);
});

import t from 'tap';
import { AccessDeniedError, CreddError, MfaRequiredError, StsUnavailableError } from '../../src/errors.js';
import { DEFAULT_REFRESH } from '../../src/engine/refresh-policy.js';
import { createRetryBook, isTransient } from '../../src/engine/retry-book.js';

const book = () => createRetryBook({ settings: DEFAULT_REFRESH, random: () => 1 });
const down = new StsUnavailableError('down');

t.test('transient failures back off exponentially; success clears', async (t) => {
  const b = book();
  t.ok(b.mayCall('dev', 0));
  b.failed('dev', down, 1000);
  t.equal(b.retryAt('dev'), 16_000);
  t.notOk(b.mayCall('dev', 15_999));
  t.ok(b.mayCall('dev', 16_000));
  t.equal(b.gate('dev', 1000), down, 'requests get the error back within the base delay');
  t.equal(b.gate('dev', 15_999), down);
  t.equal(b.gate('dev', 16_000), undefined);
  t.equal(b.gate('dev', 500), undefined, 'a time before the failure (clock set back) opens the gate');
  b.failed('dev', down, 20_000);
  t.equal(b.retryAt('dev'), 50_000);
  t.equal(b.failures('dev'), 2);
  b.succeeded('dev');
  t.equal(b.retryAt('dev'), undefined);
  t.equal(b.failures('dev'), 0);
});

t.test('terminal answers wait the longest delay and do not gate requests; MfaRequired sets nothing', async (t) => {
  const b = book();
  b.failed('prod', new AccessDeniedError('no'), 0);
  t.equal(b.retryAt('prod'), 300_000);
  t.equal(b.gate('prod', 1), undefined);
  b.failed('dev', down, 0);
  b.failed('dev', new MfaRequiredError('dev'), 1);
  t.equal(b.retryAt('dev'), undefined, 'a new code is what it waits for');
});

t.test('a clock jump resets every timer; clear forgets', async (t) => {
  const b = book();
  b.failed('a', down, 1_000_000);
  b.failed('b', new AccessDeniedError('no'), 1_000_000);
  b.resetTimers();
  t.ok(b.mayCall('a', 0) && b.mayCall('b', 0));
  t.equal(b.gate('a', 1_000_001), undefined);
  t.equal(b.failures('a'), 1, 'the count stays, so the next delay keeps growing');
  b.clear('a');
  t.equal(b.failures('a'), 0);
  b.clear();
  t.equal(b.failures('b'), 0);
});

t.test('what counts as transient', async (t) => {
  t.ok(isTransient(down));
  t.ok(isTransient(new CreddError('InternalError', 'x')));
  t.notOk(isTransient(new AccessDeniedError('x')));
  t.notOk(isTransient(new MfaRequiredError('x')));
});

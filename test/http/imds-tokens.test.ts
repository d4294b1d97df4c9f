/** IMDSv2 token store: expiry on the injected clock, bounded size. */
import t from 'tap';
import { createImdsTokens } from '../../src/http/imds-tokens.js';

t.test('a token is valid until its TTL has passed', async (t) => {
  let now = 1_000_000;
  const tokens = createImdsTokens({ now: () => now });
  const tok = tokens.issue(10);
  t.match(tok, /^[A-Za-z0-9_-]{43}$/);
  t.ok(tokens.valid(tok));
  now += 9_999;
  t.ok(tokens.valid(tok));
  now += 1;
  t.notOk(tokens.valid(tok));
  t.equal(tokens.size(), 0, 'an expired token is dropped when seen');
});

t.test('unknown, empty, non-string and oversized tokens are invalid', async (t) => {
  const tokens = createImdsTokens({ now: () => 0 });
  const tok = tokens.issue(60);
  for (const v of [undefined, '', 'nope', `${tok}x`, tok.slice(1), 'a'.repeat(10_000)]) t.notOk(tokens.valid(v), String(v).slice(0, 20));
  t.ok(tokens.valid(tok));
});

t.test('bounded: expired tokens go first, then the oldest', async (t) => {
  let now = 0;
  const tokens = createImdsTokens({ now: () => now, max: 3 });
  const short = tokens.issue(1);
  const a = tokens.issue(100);
  const b = tokens.issue(100);
  now = 5_000;
  const c = tokens.issue(100);
  t.equal(tokens.size(), 3, 'the expired one made room');
  t.notOk(tokens.valid(short));
  t.ok(tokens.valid(a) && tokens.valid(b) && tokens.valid(c));
  const d = tokens.issue(100);
  t.equal(tokens.size(), 3);
  t.notOk(tokens.valid(a), 'the oldest live token gave way');
  t.ok(tokens.valid(b) && tokens.valid(c) && tokens.valid(d));
});

t.test('default bound is 1000', async (t) => {
  const tokens = createImdsTokens({ now: () => 0 });
  for (let i = 0; i < 1005; i++) tokens.issue(60);
  t.equal(tokens.size(), 1000);
});

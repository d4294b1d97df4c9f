/** Address spellings compared as bytes (pure). */
import t from 'tap';
import { addressKey, isIPv4Family, isLoopback } from '../../src/http/loopback.js';

t.test('addressKey: one form for every spelling, IPv4 as v4-mapped', async (t) => {
  t.equal(addressKey('127.0.0.1'), '00000000000000000000ffff7f000001');
  t.equal(addressKey('::ffff:127.0.0.1'), addressKey('127.0.0.1'));
  t.equal(addressKey('[::1]'), '00000000000000000000000000000001');
  t.equal(addressKey('0:0:0:0:0:0:0:1'), addressKey('::1'));
  t.equal(addressKey('fe80::1%eth0'), 'fe800000000000000000000000000001');
  t.equal(addressKey('2001:db8::'), '20010db8000000000000000000000000');
  t.equal(addressKey('::'), '0'.repeat(32));
  t.equal(addressKey('localhost'), undefined);
  t.equal(addressKey(undefined), undefined);
  t.equal(addressKey('999.1.1.1'), undefined);
});

t.test('isLoopback', async (t) => {
  for (const a of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '[::1]']) t.ok(isLoopback(a), a);
  for (const a of ['10.0.0.1', '::', '::2', '0.0.0.0', '169.254.170.2', 'localhost', undefined]) t.notOk(isLoopback(a), String(a));
});

t.test('isIPv4Family', async (t) => {
  for (const a of ['127.0.0.1', '::ffff:10.0.0.1', '[::ffff:127.0.0.1]']) t.ok(isIPv4Family(a), a);
  for (const a of ['::1', 'fe80::1', 'localhost', undefined]) t.notOk(isIPv4Family(a), String(a));
});

/** The Host header check that defeats DNS rebinding (pure). */
import t from 'tap';
import { hostAllowed } from '../../src/http/host-check.js';

t.test('loopback literals and localhost with the exact port', async (t) => {
  for (const h of ['127.0.0.1:9911', 'localhost:9911', 'LocalHost:9911', '[::1]:9911', '127.0.0.2:9911', '[::ffff:127.0.0.1]:9911']) {
    t.ok(hostAllowed(h, 9911), h);
  }
  t.ok(hostAllowed('127.0.0.1', 80), 'no port means 80');
  t.ok(hostAllowed('localhost:80', 80));
});

t.test('names, other ports and malformed values are refused', async (t) => {
  for (const h of ['attacker.example:9911', 'localhost.:9911', 'localhost.attacker.example:9911', '127.0.0.1.nip.io:9911',
    '127.0.0.1:9912', '127.0.0.1', '127.0.0.1:', '127.0.0.1:99999', '::1:9911', '[::1', '127.0.0.1:9911:1', 'user@127.0.0.1:9911',
    '[fe80::1]:9911', '0.0.0.0:9911', '', ' 127.0.0.1:9911']) {
    t.notOk(hostAllowed(h, 9911), JSON.stringify(h));
  }
  t.notOk(hostAllowed(undefined, 9911), 'no Host');
  t.notOk(hostAllowed('127.0.0.1:9911', undefined), 'unknown port');
});

t.test('extra hosts: IP literals only, never a wildcard', async (t) => {
  t.ok(hostAllowed('169.254.170.2', 80, ['169.254.170.2']));
  t.ok(hostAllowed('[fd00:ec2::23]:9911', 9911, ['[fd00:ec2::23]']));
  t.notOk(hostAllowed('0.0.0.0:9911', 9911, ['0.0.0.0']));
  t.notOk(hostAllowed('[::]:9911', 9911, ['::']));
  t.notOk(hostAllowed('myhost.example:9911', 9911, ['myhost.example']));
  t.notOk(hostAllowed('10.0.0.1:9911', 9911, ['10.0.0.2']));
});

/** The Host header check that defeats DNS rebinding (pure). */
import t from 'tap';
import { createHostCheck, hostAllowed } from '../../src/http/host-check.js';

t.test('loopback literals and localhost with the exact port', async (t) => {
  for (const h of ['127.0.0.1:9911', 'localhost:9911', 'LocalHost:9911', '[::1]:9911', '127.0.0.2:9911', '[::ffff:127.0.0.1]:9911']) {
    t.ok(hostAllowed(h, 9911), h);
  }
  t.ok(hostAllowed('127.0.0.1', 80), 'no port means 80');
  t.ok(hostAllowed('localhost:80', 80));
});

t.test('names, other ports and malformed values are refused', async (t) => {
  for (const h of [
    'attacker.example:9911',
    'localhost.:9911',
    'localhost.attacker.example:9911',
    '127.0.0.1.nip.io:9911',
    '127.0.0.1:9912',
    '127.0.0.1',
    '127.0.0.1:',
    '127.0.0.1:99999',
    '::1:9911',
    '[::1',
    '127.0.0.1:9911:1',
    'user@127.0.0.1:9911',
    '[fe80::1]:9911',
    '0.0.0.0:9911',
    '',
    ' 127.0.0.1:9911',
  ]) {
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

const SAMPLES = [
  '127.0.0.1:9911',
  'localhost:9911',
  'LocalHost:9911',
  '[::1]:9911',
  '[::ffff:127.0.0.1]:9911',
  '127.0.0.2:9911',
  '169.254.170.2:9911',
  '[fd00:ec2::23]:9911',
  '[FD00:EC2::23]:9911',
  '0.0.0.0:9911',
  '[::]:9911',
  'myhost.example:9911',
  '127.0.0.1:9912',
  '127.0.0.1',
  'localhost',
  '[::1]',
  '169.254.170.2',
  'attacker.example:9911',
  '',
  ' 127.0.0.1:9911',
  '127.0.0.1:9911 ',
];
const EXTRA = ['169.254.170.2', 'fd00:ec2::23', '0.0.0.0', '::', 'myhost.example'];

t.test('createHostCheck answers exactly as hostAllowed, for each port it is given', async (t) => {
  let port: number | undefined = 9911;
  const hosts = createHostCheck({ port: () => port, extraHosts: EXTRA });
  const check = hosts.allowed;
  for (const p of [9911, 80, 9911]) {
    port = p;
    for (const h of [...SAMPLES, ...SAMPLES.map((s) => s.replace(':9911', ':80'))]) {
      t.equal(check(h), hostAllowed(h, p, EXTRA), `${h} on ${p}`);
      if (hosts.exact(h)) t.ok(hostAllowed(h, p, EXTRA), `exact ${h} on ${p} is accepted`);
    }
  }
  t.equal(check(undefined), false, 'no Host');
  port = undefined;
  t.equal(check('127.0.0.1:9911'), false, 'no port known yet (not listening): refused');
  t.equal(createHostCheck({ port: () => 9911 }).allowed('localhost:9911'), true, 'no extra hosts');
  t.equal(hosts.exact(undefined), false);
});

t.test('createHostCheck: the usual Host strings are a set lookup, not a parse', async (t) => {
  const hosts = createHostCheck({ port: () => 9911, extraHosts: ['169.254.170.2', 'fd00:ec2::23', '[fd00::1]', '0.0.0.0'] });
  const check = hosts.allowed;
  check('127.0.0.1:9911'); // builds the set
  const exec = RegExp.prototype.exec;
  let parses = 0;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    parses++;
    return exec.call(this, s);
  };
  let hits: boolean[];
  let afterHits: number;
  let wildcard: boolean;
  let other: boolean;
  try {
    hits = ['127.0.0.1:9911', 'localhost:9911', '[::1]:9911', '169.254.170.2:9911', '[fd00:ec2::23]:9911', '[fd00::1]:9911'].map(check);
    afterHits = parses;
    wildcard = check('0.0.0.0:9911');
    other = check('127.1.2.3:9911');
  } finally {
    RegExp.prototype.exec = exec;
  }
  t.same(hits, [true, true, true, true, true, true]);
  t.equal(afterHits, 0, 'no regex ran for the precomputed strings');
  t.equal(wildcard, false, 'a wildcard is not precomputed, and parsing refuses it');
  t.equal(other, true, 'another loopback spelling is parsed and accepted');
  t.ok(parses > 0, 'those two were parsed');
  t.same(['127.0.0.1:9911', 'localhost:9911', '[::1]:9911', '169.254.170.2:9911', '[fd00:ec2::23]:9911', '[fd00::1]:9911'].map(hosts.exact), [
    true,
    true,
    true,
    true,
    true,
    true,
  ]);
  t.same(
    ['LOCALHOST:9911', '127.1.2.3:9911', '0.0.0.0:9911', '127.0.0.1:9912', '127.0.0.1'].map(hosts.exact),
    [false, false, false, false, false],
    'exact: nothing else',
  );
});

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credd, makeSandbox, MANAGEMENT_SECRET, runCommand, CREDD_BIN } from '../helpers/credd-process.js';

// No Secret Service (no D-Bus session at all): a clear error, and the keys go nowhere else.
const box = makeSandbox('http://127.0.0.1:9');
t.teardown(() => box.cleanup());
const credsFile = join(box.home, '.aws', 'credentials');
const before = readFileSync(credsFile, 'utf8');
const files = () => readdirSync(box.root, { recursive: true }).map(String).sort();

t.test('keys import with keyring = secret-service or auto: one-line error, nothing written', async (t) => {
  const start = files();
  for (const setting of ['secret-service', 'auto']) {
    const r = await credd({ ...box.env, CREDD_KEYRING: setting }, ['keys', 'import', 'management']);
    t.equal(r.code, 1, setting);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    t.match(
      r.stderr,
      setting === 'auto'
        ? /No keyring to keep keys in \(the secret-service keyring did not answer/
        : /keyring = secret-service, but the secret-service keyring did not answer/,
    );
    t.match(r.stderr, /gnome-keyring or KeePassXC/);
    t.notMatch(r.stderr, MANAGEMENT_SECRET);
    t.equal(readFileSync(credsFile, 'utf8'), before, 'the credentials file is untouched');
    t.same(files(), start, 'no file appeared anywhere in the sandbox');
  }
  const add = await credd({ ...box.env, CREDD_KEYRING: 'auto' }, ['keys', 'add', 'x'], `AKIAABCDEFGHIJKLMNOP\n${MANAGEMENT_SECRET}\n`);
  t.equal(add.code, 1);
  t.same(files(), start);
});

t.test('a daemon told to use Secret Service refuses to start without it; auto starts as before and doctor says why', async (t) => {
  const r = await runCommand(process.execPath, [CREDD_BIN, 'daemon'], { ...box.env, CREDD_KEYRING: 'secret-service' });
  t.not(r.code, 0);
  t.match(r.stderr, /keyring = secret-service, but/);
  const doc = await credd({ ...box.env, CREDD_KEYRING: 'auto' }, ['doctor', '--json']);
  const findings = (JSON.parse(doc.stdout) as { findings: Array<{ code: string; severity: string; fix: string }> }).findings;
  t.match(
    findings.find((f) => f.code === 'KeyringUnavailable'),
    { severity: 'warning', fix: /gnome-keyring/ },
  );
  const none = await credd({ ...box.env, CREDD_KEYRING: 'none' }, ['doctor', '--json']);
  t.notOk(
    (JSON.parse(none.stdout) as { findings: Array<{ code: string }> }).findings.some((f) => f.code === 'KeyringUnavailable'),
    'keyring = none: no finding',
  );
});

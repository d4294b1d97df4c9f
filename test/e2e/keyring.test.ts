import t from 'tap';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { hasCommand, startMoto, requireOrSkip } from '../helpers/moto.js';
import { startStsProxy } from '../helpers/sts-proxy.js';
import { startKeyringSession } from '../helpers/keyring-session.js';
import { credd, makeSandbox, runCommand, CREDD_BIN, SCENARIO_ACCOUNTS, startDaemonProcess, type DaemonProcess } from '../helpers/credd-process.js';
import { openKeyring } from '../../src/keyring/open-keyring.js';
import { profileKeyring } from '../../src/keyring/profile-keys.js';
import { stateCipher, stateKey, SEALED_PREFIX } from '../../src/keyring/state-cipher.js';

/** Every file under `dir` (the whole sandbox: HOME, state, runtime and config dirs). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(p);
    return e.isFile() ? [p] : [];
  });
}

// The seed walkthrough with the management keys in a real (throwaway) Secret Service, an
// empty [management] section, a daemon restart in between, and a rotation against moto's IAM.
t.setTimeout(240_000);
const session = await startKeyringSession(t);
const moto = session ? await startMoto() : null;
if (session && requireOrSkip(t, 'moto_server', moto !== null)) {
  process.env.DBUS_SESSION_BUS_ADDRESS = session.env.DBUS_SESSION_BUS_ADDRESS;
  const proxy = await startStsProxy({ upstream: moto!.url });
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto!.url, credentials: { accessKeyId: 'AKIAADMIN', secretAccessKey: 'admin' } });
  await iam.send(new CreateUserCommand({ UserName: 'user.name' }));
  const made = (await iam.send(new CreateAccessKeyCommand({ UserName: 'user.name' }))).AccessKey!;
  const secret = made.SecretAccessKey!;
  const box = makeSandbox(proxy.url);
  const credsFile = join(box.home, '.aws', 'credentials');
  const before = `# my keys\n[default]\nregion = eu-west-1\n\n[management]\n; the IAM user\naws_access_key_id = ${made.AccessKeyId}\naws_secret_access_key = ${secret}\n\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret\n`;
  writeFileSync(credsFile, before);
  chmodSync(credsFile, 0o640);
  const env = { ...box.env, ...session.env, CREDD_KEYRING: 'secret-service', AWS_ENDPOINT_URL_IAM: moto!.url };
  let daemon: DaemonProcess | undefined;
  const logs: string[] = [];
  t.teardown(async () => {
    await daemon?.stop();
    await proxy.close();
    await moto!.stop();
    box.cleanup();
  });
  const kr = profileKeyring((await openKeyring({ setting: 'secret-service', platform: 'linux' })).store!);

  t.test('keys import moves the pair into the keyring and leaves the rest of the file as it was', async (t) => {
    const r = await credd(env, ['keys', 'import', 'management']);
    t.equal(r.code, 0, r.stderr);
    t.notMatch(r.stdout + r.stderr, secret, 'the secret is not printed');
    t.equal(readFileSync(credsFile, 'utf8'), before.replace(/aws_access_key_id = AKIA[A-Z0-9]+\naws_secret_access_key = .*\n\n\[other\]/, '\n[other]'));
    t.match(readFileSync(credsFile, 'utf8'), /\[management\]\n; the IAM user\n\n\[other\]/, 'an empty [management] section stays');
    t.equal(statSync(credsFile).mode & 0o777, 0o640, 'mode kept');
    t.same(kr.get('management'), { accessKeyId: made.AccessKeyId, secretAccessKey: secret });
    const list = await credd(env, ['keys', 'list']);
    t.equal(list.stdout, 'management\n');
  });

  t.test('the walkthrough serves every account from the keyring keys, across a restart', async (t) => {
    daemon = await startDaemonProcess(env);
    t.equal((await credd(env, ['switch', 'dev'])).code, 0);
    const mfa = await credd(env, ['mfa', '123456']);
    t.equal(mfa.code, 0, mfa.stderr);
    const caller = async (profile: string) => {
      if (hasCommand('aws')) {
        const sh = `eval "$(node ${JSON.stringify(CREDD_BIN)} env ${profile})" && aws sts get-caller-identity --query Account --output text`;
        return (await runCommand('sh', ['-c', sh], { ...env, AWS_ENDPOINT_URL_STS: moto!.url })).stdout.trim();
      }
      const cp = JSON.parse((await credd(env, ['credential-process', profile])).stdout) as { AccessKeyId: string };
      return cp.AccessKeyId ? SCENARIO_ACCOUNTS[profile] : 'none';
    };
    for (const [profile, account] of Object.entries(SCENARIO_ACCOUNTS)) t.equal(await caller(profile), account, profile);
    logs.push(daemon.log());
    await daemon.stop();
    daemon = await startDaemonProcess(env);
    t.equal(await caller('staging'), SCENARIO_ACCOUNTS.staging, 'after a restart, no new MFA code');
    t.match((await credd(env, ['env'])).stdout, /AWS_REGION=.?us-west-2/, 'credd env still finds the active profile in the encrypted state file');
    t.equal(proxy.calls.filter((c) => c.action === 'GetSessionToken').length, 1, 'one GetSessionToken in all');
  });

  t.test('no secret lies in plaintext anywhere in the sandbox', async (t) => {
    const stateFile = join(box.root, 'state', 'credd', 'state.json');
    const sealed = readFileSync(stateFile, 'utf8');
    t.ok(sealed.startsWith(SEALED_PREFIX), 'the state file is encrypted');
    const state = JSON.parse(stateCipher(stateKey((await openKeyring({ setting: 'auto', platform: 'linux' })).store!)).open(sealed)) as {
      sessions: Array<{ secretAccessKey: string; sessionToken: string }>;
      credentials: Array<{ secretAccessKey: string; sessionToken: string }>;
    };
    const secrets = [
      secret,
      state.sessions[0]!.secretAccessKey,
      state.sessions[0]!.sessionToken,
      state.credentials[0]!.sessionToken,
      state.credentials[0]!.secretAccessKey,
    ];
    t.equal(secrets.filter(Boolean).length, 5);
    for (const f of filesUnder(box.root)) {
      const text = readFileSync(f, 'latin1');
      for (const s of secrets) t.notOk(text.includes(s), `${f} holds no secret`);
    }
    for (const s of secrets) t.notOk([...logs, daemon!.log()].join('').includes(s), 'not in the daemon log');
  });

  t.test('rotate: refused with two keys, naming them; then a new key stored, the old one deleted', async (t) => {
    const extra = (await iam.send(new CreateAccessKeyCommand({ UserName: 'user.name' }))).AccessKey!;
    const refused = await credd(env, ['rotate', 'management']);
    t.not(refused.code, 0);
    t.match(refused.stderr, extra.AccessKeyId!);
    t.match(refused.stderr, made.AccessKeyId!);
    t.equal(kr.get('management')?.accessKeyId, made.AccessKeyId, 'nothing changed');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'user.name', AccessKeyId: extra.AccessKeyId! }));

    const r = await credd(env, ['rotate', 'management']);
    t.equal(r.code, 0, r.stderr);
    const stored = kr.get('management')!;
    t.not(stored.accessKeyId, made.AccessKeyId, 'a new key in the keyring');
    t.match(r.stdout, stored.accessKeyId);
    t.notMatch(r.stdout + r.stderr + daemon!.log(), stored.secretAccessKey, 'the new secret is never printed or logged');
    const left = (await iam.send(new ListAccessKeysCommand({ UserName: 'user.name' }))).AccessKeyMetadata!.map((k) => k.AccessKeyId);
    t.same(left, [stored.accessKeyId], 'the old key is gone in IAM');
    t.equal(proxy.calls.filter((c) => c.action === 'GetSessionToken').length, 1, 'no second MFA code');
    t.notOk(readFileSync(credsFile, 'utf8').includes(stored.secretAccessKey), 'not written to the file');
    t.equal((await credd(env, ['refresh', 'prod'])).code, 0, 'credd still serves');
  });
}

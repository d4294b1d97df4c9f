/**
 * The SSO twin of the seed's world for end-to-end tests: moto (real STS credentials), the IAM
 * Identity Center emulator whose role credentials are moto AssumeRole results into the account and
 * role asked, a sandbox whose AWS config has an [sso-session] with corp-dev, corp-prod and a chained
 * corp-audit, and a `$BROWSER` script that follows the authorize URL to the callback (and counts).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { Test } from 'tap';
import { makeSandbox, startDaemonProcess, type DaemonProcess, type Sandbox } from './credd-process.js';
import { requireOrSkip, startMoto } from './moto.js';
import { startSsoEmulator, type SsoEmulator } from './sso-emulator.js';

export const SSO_ACCOUNTS = { dev: '222222222222', prod: '555555555555', audit: '888888888888' };
export const START_URL = 'https://corp.awsapps.com/start';

export const SSO_CONFIG = `[sso-session corp]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile corp-dev]
sso_session = corp
sso_account_id = ${SSO_ACCOUNTS.dev}
sso_role_name = Developer
region = us-west-2

[profile corp-prod]
sso_session = corp
sso_account_id = ${SSO_ACCOUNTS.prod}
sso_role_name = Developer
region = us-west-2

[profile corp-audit]
source_profile = corp-dev
role_arn = arn:aws:iam::${SSO_ACCOUNTS.audit}:role/Audit
region = us-west-2
`;

/** Writes the `$BROWSER` script: it appends each URL to `launches` and follows it (redirects included) like a browser. */
export function browserScript(dir: string): { path: string; launches(): string[] } {
  const path = join(dir, 'browser.sh');
  const log = join(dir, 'launches');
  const follow = 'fetch(process.argv[1]).then((r) => r.text()).catch((e) => { console.error(e); process.exit(1); })';
  writeFileSync(path, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${process.execPath}' -e '${follow}' "$1"\n`);
  chmodSync(path, 0o755);
  return { path, launches: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []) };
}

export interface SsoWorld {
  moto: { url: string };
  emu: SsoEmulator;
  box: Sandbox;
  browser: ReturnType<typeof browserScript>;
  daemon: DaemonProcess;
  cacheFile: string;
}

/** Starts moto, the emulator, a sandbox with SSO_CONFIG and a daemon; null (after a skip) without moto. */
export async function startSsoWorld(t: Test, opts: { daemon?: boolean } = {}): Promise<SsoWorld | null> {
  const moto = await startMoto();
  if (!requireOrSkip(t, 'moto_server', moto !== null)) return null;
  const sts = new STSClient({ region: 'us-east-1', endpoint: moto!.url, credentials: { accessKeyId: 'AKIAEMULATORSSO00000', secretAccessKey: 'emulator' } });
  const emu = await startSsoEmulator({
    accounts: { [SSO_ACCOUNTS.dev]: ['Developer', 'ReadOnly'], [SSO_ACCOUNTS.prod]: ['Developer'], '999999999999': ['Admin'] },
    async assume(accountId, roleName) {
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`, RoleSessionName: 'sso-user', DurationSeconds: 3600 }),
      );
      const c = out.Credentials!;
      return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration!.getTime() };
    },
  });
  const box = makeSandbox(moto!.url);
  writeFileSync(join(box.home, '.aws', 'config'), SSO_CONFIG);
  writeFileSync(join(box.home, '.aws', 'credentials'), '');
  const browser = browserScript(box.root);
  Object.assign(box.env, { AWS_ENDPOINT_URL_SSO_OIDC: emu.url, AWS_ENDPOINT_URL_SSO: emu.url, BROWSER: browser.path });
  const daemon = opts.daemon === false ? undefined : await startDaemonProcess(box.env);
  t.teardown(async () => {
    await daemon?.stop();
    await emu.close();
    sts.destroy();
    await moto!.stop();
    box.cleanup();
  });
  // sha1('corp'): the file the AWS CLI and the SDKs use for [sso-session corp].
  const cacheFile = join(box.home, '.aws', 'sso', 'cache', 'ee0bfd2552fbd840c02cc48b6e823320543c450f.json');
  return { moto: moto!, emu, box, browser, daemon: daemon!, cacheFile };
}

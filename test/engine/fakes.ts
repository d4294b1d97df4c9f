/**
 * Test doubles shared by the engine and daemon tests: a fake STS with fault modes, a
 * settable clock pair (wall and monotonic), the spec's five-account config and a logger
 * whose lines can be read back.
 */
import { Writable } from 'node:stream';
import { parseAwsConfig, type AwsConfig } from '../../src/aws/config.js';
import type { AssumeRoleInput, GetFederationTokenInput, GetSessionTokenInput, Sts, TempCredentials } from '../../src/aws/sts.js';
import { AccessDeniedError, CreddError, StsUnavailableError } from '../../src/errors.js';
import { createLogger, type Logger } from '../../src/log.js';

/** A wall clock and a monotonic clock that tests move by hand. */
export interface FakeClock {
  now(): number;
  monotonic(): number;
  /** Both clocks move: time passes while the machine runs. */
  advance(ms: number): void;
  /** Only the wall clock moves: a sleep/resume, or the clock being set. */
  jump(ms: number): void;
}

export function fakeClock(start = Date.UTC(2030, 0, 1, 9, 0, 0)): FakeClock {
  let wall = start;
  let mono = 1000;
  return {
    now: () => wall,
    monotonic: () => mono,
    advance(ms) {
      wall += ms;
      mono += ms;
    },
    jump(ms) {
      wall += ms;
    },
  };
}

export type FakeMode = 'ok' | 'down' | 'throttle' | 'expired-token';

export interface FakeCall {
  action: 'GetSessionToken' | 'AssumeRole' | 'GetFederationToken';
  roleArn?: string;
  tokenCode?: string;
  durationSeconds?: number;
  /** The access key the call was signed with. */
  signedWith: string;
  serialNumber?: string;
}

export interface FakeSts extends Sts {
  calls: FakeCall[];
  mode: FakeMode;
  deny: Set<string>;
  /** When set, every call waits for this promise first (to pile up concurrent callers). */
  hold?: Promise<void>;
  /** Grants are this long unless the call asks (seconds); the MFA session length comes from the call. */
  roleSeconds?: number;
  /** The roles' MaxSessionDuration: AssumeRole asking for more fails with ValidationError. */
  roleMaxSeconds?: number;
  count(action: FakeCall['action']): number;
}

export function fakeSts(clock: { now(): number }): FakeSts {
  let serial = 0;
  const grant = (prefix: string, seconds: number): TempCredentials => {
    serial += 1;
    return {
      accessKeyId: `${prefix}${String(serial).padStart(8, '0')}`,
      secretAccessKey: `secret-${serial}`,
      sessionToken: `token-${serial}`,
      expiration: new Date(clock.now() + seconds * 1000),
    };
  };
  const fault = (sts: FakeSts) => {
    if (sts.mode === 'down')
      throw new StsUnavailableError('STS is unreachable or busy (TimeoutError: connect ETIMEDOUT); credd keeps serving what is still valid and will retry.');
    if (sts.mode === 'throttle')
      throw new StsUnavailableError('STS is unreachable or busy (Throttling: Rate exceeded); credd keeps serving what is still valid and will retry.');
  };
  const sts: FakeSts = {
    calls: [],
    mode: 'ok',
    deny: new Set(),
    count: (action) => sts.calls.filter((c) => c.action === action).length,
    async getSessionToken(keys, input: GetSessionTokenInput) {
      sts.calls.push({ action: 'GetSessionToken', tokenCode: input.tokenCode, durationSeconds: input.durationSeconds, signedWith: keys.accessKeyId });
      if (sts.hold) await sts.hold;
      fault(sts);
      if (input.serialNumber && input.tokenCode !== '123456')
        throw new AccessDeniedError('STS refused the MFA code: AccessDenied: MultiFactorAuthentication failed');
      return grant('ASIASESSION', input.durationSeconds ?? 43200);
    },
    async assumeRole(keys, input: AssumeRoleInput) {
      sts.calls.push({
        action: 'AssumeRole',
        roleArn: input.roleArn,
        durationSeconds: input.durationSeconds,
        signedWith: keys.accessKeyId,
        ...(input.serialNumber ? { serialNumber: input.serialNumber, tokenCode: input.tokenCode } : {}),
      });
      if (sts.hold) await sts.hold;
      fault(sts);
      if (sts.roleMaxSeconds !== undefined && input.durationSeconds > sts.roleMaxSeconds)
        throw new CreddError(
          'ValidationError',
          `STS refused role ${input.roleArn}: ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
          400,
        );
      if (input.serialNumber && input.tokenCode !== '123456')
        throw new AccessDeniedError('STS refused the MFA code: AccessDenied: MultiFactorAuthentication failed');
      if (sts.mode === 'expired-token') throw new CreddError('ExpiredToken', 'STS says the source session has expired (role x): run `credd mfa`.', 403);
      if (sts.deny.has(input.roleArn)) throw new AccessDeniedError(`STS refused role ${input.roleArn}: AccessDenied: not authorized`);
      return {
        ...grant('ASIAROLE', sts.roleSeconds ?? input.durationSeconds),
        assumedRoleArn: `${input.roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/s`,
      };
    },
    async getFederationToken(keys, input: GetFederationTokenInput) {
      sts.calls.push({ action: 'GetFederationToken', durationSeconds: input.durationSeconds, signedWith: keys.accessKeyId });
      fault(sts);
      return grant('ASIAFED', input.durationSeconds);
    },
  };
  return sts;
}

export const MFA_SERIAL = 'arn:aws:iam::111111111111:mfa/user.name';
export const ACCOUNTS: Record<string, string> = { dev: '222222222222', test: '333333333333', staging: '444444444444', prod: '555555555555' };
export const roleArn = (name: string, account = ACCOUNTS[name] ?? '999999999999') => `arn:aws:iam::${account}:role/RoleNameIn${name}`;

const CREDENTIALS = '[management]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n';
const PATHS = { configFile: 'config', credentialsFile: 'credentials' };

/** The text of the spec's config, plus `extra` role profiles named p0…p(extra-1). */
export function scenarioConfigText(extra = 0, duration?: number): string {
  const role = (name: string, arn: string) =>
    `[profile ${name}]\nregion = us-west-2\nsource_profile = management\nrole_arn = ${arn}\nmfa_serial = ${MFA_SERIAL}\n${duration ? `duration_seconds = ${duration}\n` : ''}`;
  const lines = ['[profile management]\nregion = us-west-2\n'];
  for (const name of Object.keys(ACCOUNTS)) lines.push(role(name, roleArn(name)));
  for (let i = 0; i < extra; i++) lines.push(role(`p${i}`, roleArn(`p${i}`)));
  return lines.join('\n');
}

export const SCENARIO_CREDENTIALS = CREDENTIALS;

/** The spec's five-account config (and `extra` more role profiles). */
export function scenarioConfig(extra = 0, duration?: number): AwsConfig {
  return parseAwsConfig(scenarioConfigText(extra, duration), CREDENTIALS, PATHS);
}

/** A pino logger writing JSON lines into memory. */
export function memoryLog(): { log: Logger; lines(): Array<Record<string, unknown>>; text(): string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination });
  const text = () => chunks.join('');
  return {
    log,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Lets pending promise callbacks (and one macrotask) run. */
export const flush = () => new Promise<void>((r) => setImmediate(r));

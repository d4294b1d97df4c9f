import { isIP } from 'node:net';
import { type Add, type DoctorFacts, EVAL, EVAL_IMDS, imdsMode } from './facts.js';

/** botocore treats credentials with less left as expiring, and refetches them on every call. */
const EXPIRING_MS = 15 * 60000;

/** The variable that points this shell at credd, its value, and the `credd env` line that sets it. */
function pointer(e: DoctorFacts['env']): { name: string; value: string; fix: string } | undefined {
  if (e.AWS_CONTAINER_CREDENTIALS_FULL_URI) return { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: e.AWS_CONTAINER_CREDENTIALS_FULL_URI, fix: EVAL };
  if (imdsMode(e)) return { name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: e.AWS_EC2_METADATA_SERVICE_ENDPOINT!, fix: EVAL_IMDS };
  return undefined;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The URL's port as the SDKs would dial it. */
const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');

/** Plain http to a loopback address is the only way to credd; only the literal 127.0.0.1 suits every SDK. */
function hostChecks(p: { name: string; value: string; fix: string }, code: string, why: string, add: Add): void {
  const url = parseUrl(p.value);
  const host = url?.hostname.replace(/^\[|\]$/g, '');
  if (url?.protocol !== 'http:' || !host || !(host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1')) {
    add({ code, severity: 'error', message: `${p.name}=${p.value} is not a loopback http URL: ${why}.`, fix: p.fix });
  } else if (host !== '127.0.0.1') {
    add({
      code,
      severity: 'warning',
      message: `${p.name} uses ${url.host}, which some SDKs refuse or resolve to an address credd does not listen on.`,
      fix: `${p.fix} (it writes the literal 127.0.0.1)`,
    });
  }
}

function tokenChecks(f: DoctorFacts, add: Add): void {
  const envToken = f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  const file = f.envTokenFile;
  if (!envToken && !file) {
    add({ code: 'TokenMissing', severity: 'error', message: 'AWS_CONTAINER_AUTHORIZATION_TOKEN is not set: credd answers 401 without it.', fix: EVAL });
    return;
  }
  if (file && 'error' in file)
    add({ code: 'TokenFile', severity: 'error', message: `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE cannot be read (${file.error}).`, fix: EVAL });
  if (file && 'value' in file && /[\r\n]/.test(file.value)) {
    add({
      code: 'TokenFile',
      severity: 'error',
      message: 'The file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names ends in a line break, which the Go and Rust SDKs refuse.',
      fix: `${EVAL} (it unsets the TOKEN_FILE and sets the token itself)`,
    });
  }
  const fromFile = file && 'value' in file ? file.value : undefined;
  if (envToken && fromFile !== undefined && envToken !== fromFile) {
    add({
      code: 'TokenDisagree',
      severity: 'error',
      message: 'AWS_CONTAINER_AUTHORIZATION_TOKEN and the TOKEN_FILE differ: botocore, Go and Rust send the file, JS and Java the variable.',
      fix: EVAL,
    });
  }
  const sent = fromFile ?? envToken;
  if (f.daemonToken && sent !== undefined && sent !== f.daemonToken) {
    add({
      code: 'TokenStale',
      severity: 'error',
      message: "This shell's token is not the daemon's (its runtime directory was recreated, e.g. after a reboot).",
      fix: `${EVAL} in this shell`,
    });
  }
}

function imdsChecks(f: DoctorFacts, add: Add): void {
  const e = f.env;
  const off = e.AWS_EC2_METADATA_DISABLED;
  // botocore, Go and Java read "true"; the JS SDK treats any value but "false" as true.
  if (off && off !== 'false') {
    add({
      code: 'ImdsDisabled',
      severity: 'error',
      message: `AWS_EC2_METADATA_DISABLED=${off} is set: the SDKs do not ask IMDS, so they never reach credd.`,
      fix: `unset AWS_EC2_METADATA_DISABLED (or ${EVAL_IMDS})`,
    });
  }
  const mode = e.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE;
  if (mode && !['ipv4', 'ipv6'].includes(mode.toLowerCase())) {
    add({
      code: 'ImdsEndpointMode',
      severity: 'error',
      message: `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=${mode} is neither IPv4 nor IPv6: botocore stops with an error.`,
      fix: `unset AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE (or ${EVAL_IMDS})`,
    });
  } else if (mode?.toLowerCase() === 'ipv6') {
    // The endpoint variable wins over the mode in botocore, JS and Go; a tool that reads only the mode goes to [fd00:ec2::254].
    add({
      code: 'ImdsEndpointMode',
      severity: 'warning',
      message:
        'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 is set: the SDKs use AWS_EC2_METADATA_SERVICE_ENDPOINT over it, but a client that reads only the mode asks [fd00:ec2::254] instead of credd.',
      fix: `unset AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE (or ${EVAL_IMDS})`,
    });
  }
  hostChecks(pointer(e)!, 'ImdsEndpointHost', 'credd listens on 127.0.0.1 only', add);
}

/** What the shell's variables say about the endpoint: its host, the token, IMDS's switches. */
export function shellEndpointChecks(f: DoctorFacts, add: Add): void {
  if (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    hostChecks(pointer(f.env)!, 'FullUriHost', 'the SDKs refuse it', add);
    tokenChecks(f, add);
  } else if (imdsMode(f.env)) {
    imdsChecks(f, add);
  }
}

/**
 * Whether the shell reaches the running daemon, and what it answered to the request an SDK
 * would make. A shell pointed at another port gets that one finding: the probe's answer came
 * from something else, or from nothing. `explained`: a refusal's cause is already reported.
 */
export function daemonEndpointChecks(f: DoctorFacts, add: Add, explained: boolean): void {
  const daemon = f.daemon!;
  const p = pointer(f.env);
  const fix = p?.fix ?? EVAL;
  const mine = parseUrl(daemon.endpoint);
  const theirs = p && parseUrl(p.value);
  if (mine && theirs && portOf(theirs) !== portOf(mine)) {
    add({
      code: 'EndpointElsewhere',
      severity: 'error',
      message: `${p.name} names port ${portOf(theirs)}, but the daemon listens at ${daemon.endpoint}: the SDKs in this shell ask something else, or nothing.`,
      fix,
    });
    return;
  }
  if (imdsMode(f.env) && daemon.imds === false) {
    add({
      code: 'ImdsOff',
      severity: 'error',
      message: 'The daemon does not serve IMDS (imds = false in its settings).',
      fix: `${EVAL} (the container endpoint), or set imds = true in the settings file and restart the daemon`,
    });
    return;
  }
  const probe = f.probe;
  if (!probe) return;
  if ('error' in probe) {
    add({
      code: 'EndpointUnreachable',
      severity: 'error',
      message: `Nothing answers at ${probe.url} (${probe.error}); the daemon listens at ${daemon.endpoint}.`,
      fix,
    });
    return;
  }
  if (probe.status === 200) {
    const left = Date.parse(probe.expiration ?? '') - f.now;
    if (left < EXPIRING_MS) {
      add({
        code: 'CredentialsExpiring',
        severity: left > 0 ? 'warning' : 'error',
        message:
          left > 0
            ? `The credentials credd serves expire in ${Math.floor(left / 60000)} min (${probe.expiration}): botocore refetches them on every call from 15 min before.`
            : `The credentials credd serves expired at ${probe.expiration}.`,
        fix: 'credd refresh; credd status shows why they were not renewed (an MFA session that ends: credd mfa)',
      });
    }
    return;
  }
  // `explained`: the daemon's own facts already named the cause (no profile, no MFA session).
  if (explained) return;
  const why = `${probe.url} answered ${probe.status}${probe.code ? ` ${probe.code}` : ''}${probe.message ? `: ${probe.message}` : ''}`;
  const fixes: Record<string, string> = {
    Unauthorized: fix,
    MfaRequired: 'credd mfa',
    NoActiveProfile: 'credd switch NAME',
    UnknownProfile: 'credd profiles (and fix the name in the URI)',
    AccessDenied: "check the role's trust policy and your MFA device ARN",
    ImdsOff: `${EVAL} (the container endpoint), or set imds = true in the settings file and restart the daemon`,
  };
  const code = probe.code && fixes[probe.code] ? probe.code : 'EndpointError';
  // 503 is transient trouble (STS unreachable), which the SDKs retry.
  add({ code, severity: probe.status === 503 ? 'warning' : 'error', message: why, fix: fixes[code] ?? 'see credd status and the daemon log' });
}

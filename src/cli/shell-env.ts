import { quoteSh } from '../shell-quote.js';

/** Variables that win over container credentials in the SDKs' chains, so `credd env` unsets them. */
export const SHADOWING_VARS = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  // A stale token file would win over the variable in botocore, Go, Rust and JS v3.
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

/** What a shell should set and unset. */
export interface ShellEnv {
  set: Array<[string, string]>;
  unset: string[];
}

export type ShellKind = 'sh' | 'fish' | 'powershell';

/**
 * The container-credentials environment for `url` (already pinned to a profile or not). The token
 * goes in the variable only: every SDK reads it, and setting `..._TOKEN_FILE` as well makes the JS
 * v3 SDK print a warning in every process. The token is stable across daemon restarts, so a
 * shell's copy stays good.
 */
export function containerEnv(opts: { url: string; token: string; region?: string }): ShellEnv {
  const set: Array<[string, string]> = [
    ['AWS_CONTAINER_CREDENTIALS_FULL_URI', opts.url],
    ['AWS_CONTAINER_AUTHORIZATION_TOKEN', opts.token],
  ];
  if (opts.region) set.push(['AWS_REGION', opts.region], ['AWS_DEFAULT_REGION', opts.region]);
  return { set, unset: SHADOWING_VARS.filter((v) => v !== 'AWS_CONTAINER_AUTHORIZATION_TOKEN') };
}

/** Variables that would make the SDKs skip IMDS or look elsewhere for it, so `credd env --imds` unsets them. */
const IMDS_SHADOWING_VARS = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
];

/**
 * The IMDS environment for `url` (`http://127.0.0.1:PORT/`). The SDKs ask IMDS only when neither
 * container variable is set, so those are unset along with everything else that would win.
 */
export function imdsEnv(opts: { url: string; region?: string | undefined }): ShellEnv {
  const set: Array<[string, string]> = [['AWS_EC2_METADATA_SERVICE_ENDPOINT', opts.url]];
  if (opts.region) set.push(['AWS_REGION', opts.region], ['AWS_DEFAULT_REGION', opts.region]);
  return { set, unset: [...SHADOWING_VARS, ...IMDS_SHADOWING_VARS] };
}

/** fish: inside '…' a backslash escapes ' and \ (so a trailing \ would swallow the closing quote). */
export const quoteFish = (v: string) => `'${v.replace(/[\\']/g, '\\$&')}'`;
/** PowerShell: inside '…' a quote is doubled, and the typographic single quotes count as quotes too. */
export const quotePs = (v: string) => `'${v.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;

/** Renders the lines for `eval "$(credd env)"` (sh), `| source` (fish) or `| Invoke-Expression` (PowerShell). */
export function renderShellEnv(env: ShellEnv, shell: ShellKind): string {
  const lines: string[] = [];
  if (shell === 'sh') {
    lines.push(`unset ${env.unset.join(' ')}`);
    for (const [k, v] of env.set) lines.push(`export ${k}=${quoteSh(v)}`);
  } else if (shell === 'fish') {
    for (const k of env.unset) lines.push(`set -e ${k}`);
    for (const [k, v] of env.set) lines.push(`set -gx ${k} ${quoteFish(v)}`);
  } else {
    for (const k of env.unset) lines.push(`Remove-Item Env:${k} -ErrorAction SilentlyContinue`);
    for (const [k, v] of env.set) lines.push(`$Env:${k} = ${quotePs(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Applies a ShellEnv to an environment object (for `credd exec`). */
export function applyEnv(base: Record<string, string | undefined>, env: ShellEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !env.unset.includes(k)) out[k] = v;
  for (const [k, v] of env.set) out[k] = v;
  return out;
}

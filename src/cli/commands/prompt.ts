import { formatDuration } from '../../duration.js';
import { resolvePlan } from '../../aws/resolve-plan.js';
import type { StatusInfo } from '../../control/contract.js';
import type { Command } from '../context.js';
import { localConfig } from '../local-view.js';
import { parse } from '../parse.js';
import type { CommandSpec } from '../command-spec.js';

/** What `credd prompt` accepts; its help and its parser are made from this. */
export const spec = {
  name: 'prompt',
  group: 'Setup',
  summary: 'active profile and time left, for PS1 (silent without a daemon)',
  about: `Prints the active profile and the time until the next MFA code is needed, e.g. "dev 42m"
or "dev 1h05m"; "dev mfa!" when a code is needed now. Prints nothing (exit 0) when no
profile is active or no daemon answers within half a second, so a prompt never shows an
error. docs/shell.md shows the PS1 (bash, zsh), fish and PowerShell set-up.
`,
} as const satisfies CommandSpec;

/** A prompt runs before every command line: a daemon that does not answer within this is treated as absent. */
export const PROMPT_TIMEOUT_MS = 500;

/** "42m", "1h05m", "11h58m": time left, compact. */
export const compactLeft = (ms: number): string => formatDuration(ms, 'compact');

/** The source session a profile needs, as the local AWS config describes it. */
export interface NeededSession {
  root: string;
  mfaSerial?: string;
}

/**
 * The prompt text: the active profile and how long until the next MFA code is needed
 * (the source session's time left; the role credentials renew themselves), `mfa!` when
 * a code is needed now, or the role credentials' time left for a profile without MFA.
 * Empty when no profile is active.
 */
export function promptLine(s: StatusInfo, needs: NeededSession | undefined, now: number): string {
  const name = s.activeProfile;
  if (!name) return '';
  if (needs?.mfaSerial) {
    const session = s.sessions.find((x) => x.source === needs.root && (x.mfaSerial ?? '') === needs.mfaSerial);
    const left = session?.valid ? Date.parse(session.expiration) - now : 0;
    return left > 0 ? `${name} ${compactLeft(left)}` : `${name} mfa!`;
  }
  const served = s.profiles.find((p) => p.name === name);
  const left = served ? Date.parse(served.expiration) - now : 0;
  if (left > 0) return `${name} ${compactLeft(left)}`;
  return s.errors.some((e) => e.name === name) ? `${name} err!` : name;
}

/**
 * `credd prompt`: for PS1. Prints nothing and exits 0 when no daemon answers quickly, so a
 * prompt never shows an error; only a usage error (an unknown option) exits non-zero.
 * Reads the status over the control socket and the AWS config files; never loads the SDK.
 */
const prompt: Command = async (ctx, args) => {
  parse(spec, args);
  let s: StatusInfo;
  try {
    s = await ctx.client.get('/status', { timeoutMs: PROMPT_TIMEOUT_MS });
  } catch {
    return 0;
  }
  let needs: NeededSession | undefined;
  try {
    const config = s.activeProfile ? localConfig(ctx) : undefined;
    const plan = config ? resolvePlan(config, s.activeProfile!) : undefined;
    if (plan?.useSession) needs = { root: plan.root, ...(plan.mfaSerial ? { mfaSerial: plan.mfaSerial } : {}) };
  } catch {
    needs = undefined;
  }
  const line = promptLine(s, needs, ctx.now());
  if (line) ctx.out(`${line}\n`);
  return 0;
};
export default prompt;

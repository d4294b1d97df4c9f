import type { SsoSessionStatus } from '../../control/contract.js';
import { timeLeft } from '../time-left.js';

/** The IAM Identity Center part of `credd status`: one line per session, its token times, and what to do. */
export function ssoLines(sessions: SsoSessionStatus[], now: number): string[] {
  if (!sessions.length) return [];
  const lines = ['IAM Identity Center sessions:'];
  for (const s of sessions) {
    const at = (iso: string | undefined) => (iso ? `${iso} (${timeLeft(iso, now)})` : 'unknown');
    const head = `  ${s.session} (${s.startUrl}${s.legacy ? ', legacy profile' : ''})`;
    if (s.state === 'signed-out') {
      lines.push(`${head}: signed out (run \`credd login ${s.session}\`)`);
      continue;
    }
    const state = s.state === 'ended' ? `ended (run \`credd login ${s.session}\`)` : s.state === 'ending' ? 'ends soon' : 'signed in';
    lines.push(`${head}: ${state}`);
    lines.push(
      `    access token expires ${at(s.accessTokenExpires)}; refresh token: ${s.refreshToken ? 'yes (renewed until the session length your administrator set)' : 'none (sign in again when the access token expires)'}; registration expires ${at(s.registrationExpires)}`,
    );
    if (s.warning) lines.push(`    warning: ${s.warning}`);
  }
  return lines;
}

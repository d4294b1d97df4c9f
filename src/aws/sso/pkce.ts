import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair (RFC 7636, S256) and the `state` that ties the callback to this sign-in. */
export interface Pkce {
  verifier: string;
  challenge: string;
  state: string;
}

/** Draws a new verifier (43 base64url characters), its S256 challenge and a state. */
export function createPkce(random: (n: number) => Buffer = randomBytes): Pkce {
  const verifier = random(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url'), state: random(16).toString('base64url') };
}

/** The authorize URL the browser opens (the parameters the AWS CLI sends). */
export function authorizeUrl(oidcBase: string, p: { clientId: string; redirectUri: string; scopes: string[]; pkce: Pkce }): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    state: p.pkce.state,
    code_challenge_method: 'S256',
    scopes: p.scopes.join(' '),
    code_challenge: p.pkce.challenge,
  });
  return `${oidcBase.replace(/\/+$/, '')}/authorize?${q.toString()}`;
}

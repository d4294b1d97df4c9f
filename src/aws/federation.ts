import { FederationError } from '../errors.js';

/** Fetches a URL and resolves status and body text (global fetch in production, a fake in tests). */
export type HttpGet = (url: string, timeoutMs: number) => Promise<{ status: number; body: string }>;

/** node's fetch, without redirects (the endpoint answers JSON; a redirect would be someone else's page). */
export const fetchGet: HttpGet = async (url, timeoutMs) => {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
};

/**
 * Calls `getSigninToken` at `tokenUrl` and returns the SigninToken. Errors say what went wrong
 * and what to do, and never repeat the URL (it carries the credentials) or the answer.
 */
export async function requestSigninToken(get: HttpGet, tokenUrl: string, timeoutMs = 10000): Promise<string> {
  let answer: { status: number; body: string };
  try {
    answer = await get(tokenUrl, timeoutMs);
  } catch (err) {
    const why =
      (err as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : ((err as { cause?: { code?: string } }).cause?.code ?? 'network error');
    throw new FederationError(`The AWS sign-in endpoint could not be reached (${why}): check the network (or CREDD_SIGNIN_URL) and try again.`);
  }
  if (answer.status !== 200) {
    const hint =
      answer.status === 400 ? 'it refused these credentials (expired, or from GetSessionToken, which the console does not take)' : `HTTP ${answer.status}`;
    throw new FederationError(`The AWS sign-in endpoint did not issue a sign-in token: ${hint}. Try \`credd refresh\` and again.`);
  }
  let token: unknown;
  try {
    token = (JSON.parse(answer.body) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') throw new FederationError('The AWS sign-in endpoint answered without a SigninToken: try again later.');
  return token;
}

import { BadRequestError } from '../errors.js';
import { partitionHosts, type Partition } from './partition.js';

/** The temporary credentials the sign-in endpoint turns into a console session. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** What `Issuer` says: where the console sends the user when the session ends. */
export const ISSUER = 'credd';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/**
 * The federation endpoint: `override` (CREDD_SIGNIN_URL: a base URL, https, or http on
 * loopback for tests) or the partition's sign-in host. `logout` picks the host on which
 * the logout-then-login redirect works (us-east-1's, in the aws partition).
 */
export function signinBase(partition: Partition, override: string | undefined, logout = false): URL {
  if (override) {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw new BadRequestError('CREDD_SIGNIN_URL is not a URL: set it to the sign-in host, like https://signin.aws.amazon.com.');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
      throw new BadRequestError('CREDD_SIGNIN_URL must be https (plain http only on loopback): credentials are sent to it.');
    }
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/federation')) url.pathname = `${url.pathname.replace(/\/$/, '')}/federation`;
    return url;
  }
  const host = partitionHosts(partition).signin;
  return new URL(`https://${logout && partition === 'aws' ? `us-east-1.${host}` : host}/federation`);
}

/** `getSigninToken` with the Session JSON's three fields; SessionDuration only when given. */
export function signinTokenUrl(base: URL, creds: SessionCredentials, sessionDuration?: number): string {
  const session = JSON.stringify({ sessionId: creds.accessKeyId, sessionKey: creds.secretAccessKey, sessionToken: creds.sessionToken });
  const params = new URLSearchParams({ Action: 'getSigninToken' });
  if (sessionDuration !== undefined) params.set('SessionDuration', String(sessionDuration));
  params.set('Session', session);
  return `${base.href}?${params.toString().replace(/\+/g, '%20')}`;
}

/** The `login` URL that opens `destination` signed in with `signinToken`. */
export function loginUrl(base: URL, signinToken: string, destination: string): string {
  const params = new URLSearchParams({ Action: 'login', Issuer: ISSUER, Destination: destination, SigninToken: signinToken });
  return `${base.href}?${params.toString().replace(/\+/g, '%20')}`;
}

/** The console's logout, which then follows `next` (the login URL): a clean switch between accounts. */
export function logoutThen(base: URL, next: string): string {
  const logout = new URL(base.href.replace(/\/federation$/, '/oauth'));
  return `${logout.href}?Action=logout&redirect_uri=${encodeURIComponent(next)}`;
}

/**
 * The console page to open: a full https URL as given, a `/path` on the partition's console,
 * or a service name (`s3`, `ec2`) on its home page; default the console home, in `region`.
 */
export function destinationUrl(partition: Partition, region: string | undefined, destination?: string): string {
  const consoleBase = `https://${partitionHosts(partition).console}`;
  const inRegion = region ? `?region=${encodeURIComponent(region)}` : '';
  if (destination === undefined || destination === '') return `${consoleBase}/console/home${inRegion}`;
  if (/^https:\/\/[^\s]+$/.test(destination)) return destination;
  if (destination.startsWith('/') && !destination.startsWith('//')) return `${consoleBase}${destination}`;
  if (/^[a-z0-9-]{2,40}$/.test(destination)) return `${consoleBase}/${destination}/home${inRegion}`;
  throw new BadRequestError(`--destination "${destination.slice(0, 80)}" is neither a service name (s3), a console path (/s3/buckets) nor an https URL.`);
}

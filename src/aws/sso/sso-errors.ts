import { AccessDeniedError, CreddError, OidcError, StsUnavailableError } from '../../errors.js';

interface SdkError {
  name?: string;
  message?: string;
  error?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
}

/** The OAuth error names of the OIDC service, by the SDK's exception name. */
const OAUTH: Record<string, string> = {
  AuthorizationPendingException: 'authorization_pending',
  SlowDownException: 'slow_down',
  InvalidGrantException: 'invalid_grant',
  ExpiredTokenException: 'expired_token',
  AccessDeniedException: 'access_denied',
  InvalidClientException: 'invalid_client',
  UnauthorizedClientException: 'unauthorized_client',
  InvalidRequestException: 'invalid_request',
  InvalidScopeException: 'invalid_scope',
  UnsupportedGrantTypeException: 'unsupported_grant_type',
  InvalidClientMetadataException: 'invalid_client_metadata',
  InvalidRedirectUriException: 'invalid_redirect_uri',
};

/**
 * Maps an SDK failure of an Identity Center call: OAuth errors become OidcError (with the OAuth
 * name), a portal 401 becomes OidcError `unauthorized` (the access token is expired or revoked),
 * a 403 AccessDenied, and network trouble, throttling or a 5xx StsUnavailable (retried with backoff).
 */
export function mapSsoError(err: unknown, what: string): CreddError {
  if (err instanceof CreddError) return err;
  const e = (err ?? {}) as SdkError;
  const name = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const first = (e.message ?? String(err)).split('\n')[0]!.trim();
  const oauth = OAUTH[name] ?? (typeof e.error === 'string' ? e.error : undefined);
  if (oauth) return new OidcError(oauth, `IAM Identity Center refused ${what}: ${oauth}${first && first !== oauth ? ` (${first})` : ''}`);
  if (name === 'UnauthorizedException' || status === 401)
    return new OidcError('unauthorized', `IAM Identity Center says the access token is expired or revoked (${what}).`);
  if (status === 403 || name === 'ForbiddenException') return new AccessDeniedError(`IAM Identity Center refused ${what}: ${name}: ${first}`);
  if (status === undefined || status >= 500 || status === 429 || e.$fault === 'server' || name === 'TooManyRequestsException') {
    return new StsUnavailableError(
      `IAM Identity Center is unreachable or busy (${what}: ${name}: ${first}); credd keeps serving what is still valid and will retry.`,
    );
  }
  return new AccessDeniedError(`IAM Identity Center refused ${what}: ${name}: ${first}`);
}

/** Endpoint overrides from the environment, read by the entry point. */
export interface EnvEndpoints {
  /** `AWS_ENDPOINT_URL_STS` */
  sts?: string;
  /** `AWS_ENDPOINT_URL` */
  global?: string;
  /** `AWS_ENDPOINT_URL_IAM` (for `credd rotate`) */
  iam?: string;
  /** `AWS_ENDPOINT_URL_SSO_OIDC` (IAM Identity Center sign-in) */
  ssoOidc?: string;
  /** `AWS_ENDPOINT_URL_SSO` (the IAM Identity Center portal) */
  sso?: string;
}

/** The OIDC base URL of a region: the override, else the regional endpoint. */
export function oidcBase(env: EnvEndpoints, region: string): string {
  return env.ssoOidc || env.global || `https://oidc.${region}.amazonaws.com`;
}

/**
 * The STS endpoint for a call, in the SDKs' order: `AWS_ENDPOINT_URL_STS`,
 * `AWS_ENDPOINT_URL`, the profile's `services`/`endpoint_url`; undefined lets the
 * SDK pick the regional endpoint.
 */
export function resolveStsEndpoint(env: EnvEndpoints, profileEndpoint?: string): string | undefined {
  return env.sts || env.global || profileEndpoint || undefined;
}

/** Region for STS calls when a profile names none (the SDKs' global default). */
export const FALLBACK_REGION = 'us-east-1';

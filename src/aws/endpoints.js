/**
 * The STS endpoint for a call, in the SDKs' order: `AWS_ENDPOINT_URL_STS`,
 * `AWS_ENDPOINT_URL`, the profile's `services`/`endpoint_url`; undefined lets the
 * SDK pick the regional endpoint.
 */
export function resolveStsEndpoint(env, profileEndpoint) {
    return env.sts || env.global || profileEndpoint || undefined;
}
/** Region for STS calls when a profile names none (the SDKs' global default). */
export const FALLBACK_REGION = 'us-east-1';

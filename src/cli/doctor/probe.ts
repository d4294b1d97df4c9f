import { request } from 'node:http';
import type { ProbeResult } from './facts.js';

/** botocore's timeout for the container endpoint; also used for each IMDS step. */
const TIMEOUT_MS = 2000;
/** The IMDSv2 token lifetime the SDKs ask for (6 h). */
const IMDS_TTL = '21600';
const ROLES = '/latest/meta-data/iam/security-credentials/';

type Answer = { status: number; body: string } | { error: string };

function send(method: 'GET' | 'PUT', url: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Only the `Expiration` of a credentials document: the keys are dropped here, never returned. */
function served(url: string, body: string): ProbeResult {
  const exp = parseJson(body).Expiration;
  return { url, status: 200, ...(typeof exp === 'string' ? { expiration: exp } : {}) };
}

/** An error answer: `{Code, Message}` JSON (container), or IMDS's plain text as the message. */
function refused(url: string, a: { status: number; body: string }, code?: string): ProbeResult {
  const b = parseJson(a.body);
  // One line, and short: this goes into one finding.
  const text = (typeof b.Message === 'string' ? b.Message : a.body).replace(/\s+/g, ' ').trim().slice(0, 300);
  const c = typeof b.Code === 'string' ? b.Code : code;
  return { url, status: a.status, ...(c ? { code: c } : {}), ...(text ? { message: text } : {}) };
}

/**
 * GETs the container URI as an SDK would (the raw token in `Authorization`). Of a 200 only the
 * `Expiration` is kept; the credentials are never returned.
 */
export async function httpProbe(url: string, token: string | undefined, timeoutMs = TIMEOUT_MS): Promise<ProbeResult> {
  const a = await send('GET', url, token === undefined ? {} : { authorization: token }, timeoutMs);
  if ('error' in a) return { url, error: a.error };
  return a.status === 200 ? served(url, a.body) : refused(url, a);
}

/**
 * Walks IMDSv2 at `base` as an SDK would: PUT a token, list the role, GET its credentials.
 * Reports the first step that fails (a 404 to the PUT means IMDS is off; to the list, no
 * active profile); of the credentials only the `Expiration` is kept.
 */
export async function imdsProbe(base: string, timeoutMs = TIMEOUT_MS): Promise<ProbeResult> {
  const root = base.replace(/\/+$/, '');
  const tokenUrl = `${root}/latest/api/token`;
  const t = await send('PUT', tokenUrl, { 'x-aws-ec2-metadata-token-ttl-seconds': IMDS_TTL }, timeoutMs);
  if ('error' in t) return { url: tokenUrl, error: t.error };
  if (t.status !== 200) return refused(tokenUrl, t, t.status === 404 ? 'ImdsOff' : undefined);
  const headers = { 'x-aws-ec2-metadata-token': t.body };
  const listUrl = `${root}${ROLES}`;
  const list = await send('GET', listUrl, headers, timeoutMs);
  if ('error' in list) return { url: listUrl, error: list.error };
  if (list.status !== 200) return refused(listUrl, list, list.status === 404 ? 'NoActiveProfile' : undefined);
  const credsUrl = `${listUrl}${encodeURIComponent(list.body.split('\n')[0]!.trim())}`;
  const doc = await send('GET', credsUrl, headers, timeoutMs);
  if ('error' in doc) return { url: credsUrl, error: doc.error };
  return doc.status === 200 ? served(credsUrl, doc.body) : refused(credsUrl, doc);
}

/**
 * Test helper: an HTTP proxy in front of moto's STS that refuses what real STS
 * refuses and moto accepts, records every call, and can inject faults.
 *
 * moto answers any MFA code and any session duration, so a credential daemon
 * tested against bare moto would never see the errors it must handle in real
 * life (wrong MFA code, the 1-hour role-chaining cap). See README.md here.
 *
 * It speaks the STS Query API as @aws-sdk/client-sts and botocore send it:
 * `POST /` with a form-encoded body (`Action=...&Version=2011-06-15&...`).
 * Parameters in the URL query string are honoured too (presigned GETs).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Fault injection, read per request:
 * - `pass`: refuse what real STS refuses, forward the rest to moto;
 * - `down`: destroy the socket without answering (connection reset);
 * - `error503`: HTTP 503 `ServiceUnavailable`;
 * - `throttle`: HTTP 400 `Throttling` "Rate exceeded";
 * - `slow`: wait `slowMs`, then behave as `pass`.
 */
export type StsProxyMode = 'pass' | 'down' | 'error503' | 'throttle' | 'slow';

/** One request the proxy received, whatever it answered. */
export interface StsCall {
  action: string;
  durationSeconds?: number;
  roleArn?: string;
  tokenCode?: string;
  /** Signed with temporary credentials (`X-Amz-Security-Token` present). */
  chained: boolean;
}

/** A running proxy; fields other than `url`/`port` may be changed at any time. */
export interface StsProxy {
  /** Base URL to use as the SDK `endpoint`, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  mode: StsProxyMode;
  /** Delay applied in `slow` mode, in milliseconds (default 5000). */
  slowMs: number;
  /** MFA codes GetSessionToken accepts. */
  validCodes: string[];
  /** Role ARNs for which AssumeRole answers 403 AccessDenied. */
  denyRoles: Set<string>;
  /** Every request received, in order, including refused and faulted ones. */
  calls: StsCall[];
  /** Stop listening, drop open connections and cancel pending `slow` waits. */
  close(): Promise<void>;
}

export interface StsProxyOptions {
  /** moto's base URL, e.g. from `startMoto()`. */
  upstream: string;
  /** MFA codes GetSessionToken accepts; default `['123456']`. */
  validCodes?: string[];
}

/** An STS error answer: HTTP status plus the fields of its XML body. */
interface StsError {
  status: number;
  type: 'Sender' | 'Receiver';
  code: string;
  message: string;
}

/** Limits and messages of real STS (2011-06-15 API). */
const GET_SESSION_TOKEN_DURATION = { min: 900, max: 129_600 };
const ASSUME_ROLE_DURATION = { min: 900, max: 43_200 };
const ROLE_CHAINING_MAX_SECONDS = 3600;
const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MFA_FAILED = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';
const CHAINING_CAP = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';

/** Headers that describe one hop's connection, not the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Start the proxy on 127.0.0.1 (random port), forwarding to `opts.upstream`.
 * Starts in `pass` mode with no denied roles.
 */
export async function startStsProxy(opts: StsProxyOptions): Promise<StsProxy> {
  const upstream = new URL(opts.upstream);
  // A private agent so close() can drop its sockets; moto closes each
  // connection anyway, so keep-alive would buy nothing.
  const agent = new http.Agent({ keepAlive: false });
  const aborter = new AbortController();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      // moto unreachable: say so (the SDK surfaces the text). Otherwise close()
      // cancelled a `slow` wait or the client left: just drop the connection.
      if (!res.headersSent && !res.destroyed && !aborter.signal.aborted) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`sts-proxy: ${err.message}\n`);
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;

  const proxy: StsProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    mode: 'pass',
    slowMs: 5000,
    validCodes: opts.validCodes ?? ['123456'],
    denyRoles: new Set(),
    calls: [],
    close: async () => {
      aborter.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const params = requestParams(req, body);
    const call = describeCall(req, params);
    proxy.calls.push(call);

    switch (proxy.mode) {
      case 'down':
        req.socket.destroy();
        return;
      case 'error503':
        return sendError(res, {
          status: 503,
          type: 'Receiver',
          code: 'ServiceUnavailable',
          message: 'Service is unable to handle request.',
        });
      case 'throttle':
        return sendError(res, { status: 400, type: 'Sender', code: 'Throttling', message: 'Rate exceeded' });
      case 'slow':
        // A slow STS is slow for refusals too, so wait before anything else.
        await delay(proxy.slowMs, undefined, { signal: aborter.signal });
        break;
      case 'pass':
        break;
    }

    const refusal =
      call.action === 'GetSessionToken'
        ? refuseGetSessionToken(call, params)
        : call.action === 'AssumeRole'
          ? await refuseAssumeRole(call, params, req)
          : call.action === 'GetFederationToken' && call.chained
            ? accessDenied('Cannot call GetFederationToken with session credentials')
            : undefined;
    if (refusal) return sendError(res, refusal);

    const answer = await forward(req.method ?? 'POST', req.url ?? '/', routableHeaders(req.headers, params), body);
    if (res.destroyed) return; // client gave up (e.g. its timeout) meanwhile
    res.writeHead(answer.status, answer.statusMessage, answer.headers).end(answer.body);
  }

  function refuseGetSessionToken(call: StsCall, params: URLSearchParams): StsError | undefined {
    // Real STS validates the request shape before it checks the MFA code.
    const duration = checkDuration(call.durationSeconds, GET_SESSION_TOKEN_DURATION);
    if (duration) return duration;
    // STS will not mint session credentials from session credentials.
    if (call.chained) {
      return accessDenied('Cannot call GetSessionToken with session credentials');
    }
    // A device without a code fails like a wrong code does.
    const code = call.tokenCode;
    const mfaFailed = code === undefined ? params.has('SerialNumber') : !proxy.validCodes.includes(code);
    return mfaFailed ? accessDenied(MFA_FAILED) : undefined;
  }

  async function refuseAssumeRole(call: StsCall, params: URLSearchParams, req: http.IncomingMessage): Promise<StsError | undefined> {
    const name = params.get('RoleSessionName');
    if (name === null || !ROLE_SESSION_NAME.test(name)) {
      return validationError(
        `1 validation error detected: Value ${name === null ? 'null' : `'${name}'`} at 'roleSessionName' ` +
          `failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`,
      );
    }
    const duration = checkDuration(call.durationSeconds, ASSUME_ROLE_DURATION);
    if (duration) return duration;
    if (call.chained && (call.durationSeconds ?? 3600) > ROLE_CHAINING_MAX_SECONDS) {
      return validationError(CHAINING_CAP);
    }
    // An MFA code on AssumeRole itself (a role assumed straight from long-term keys) is checked like GetSessionToken's.
    if (params.has('SerialNumber') && !proxy.validCodes.includes(call.tokenCode ?? '')) return accessDenied(MFA_FAILED);
    if (call.roleArn !== undefined && proxy.denyRoles.has(call.roleArn)) {
      const caller = await callerArn(req);
      return accessDenied(`User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${call.roleArn}`);
    }
    return undefined;
  }

  /**
   * The caller's ARN, for a realistic AccessDenied message: ask moto
   * GetCallerIdentity with the same credentials (moto does not verify the
   * signature, so reusing the original Authorization header is fine).
   */
  async function callerArn(req: http.IncomingMessage): Promise<string> {
    try {
      const body = Buffer.from('Action=GetCallerIdentity&Version=2011-06-15');
      const answer = await forward('POST', '/', req.headers, body);
      const arn = /<Arn>([^<]+)<\/Arn>/.exec(answer.body.toString('utf8'))?.[1];
      if (answer.status === 200 && arn) return arn;
    } catch {
      // fall through: the message only needs to be plausible
    }
    return 'arn:aws:iam::123456789012:user/unknown';
  }

  /** Send one request to moto; the body is already buffered, so it is sent as is. */
  function forward(
    method: string,
    path: string,
    inHeaders: http.IncomingHttpHeaders,
    body: Buffer,
  ): Promise<{ status: number; statusMessage: string; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    const headers = withoutHopByHop(inHeaders);
    // Host names moto, not the proxy, so the forwarded request is coherent.
    headers.host = upstream.host;
    headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const up = http.request({ protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method, path, headers, agent }, (upRes) => {
        readBody(upRes).then((resBody) => {
          const outHeaders = withoutHopByHop(upRes.headers);
          outHeaders['content-length'] = String(resBody.length);
          resolve({
            status: upRes.statusCode ?? 502,
            statusMessage: upRes.statusMessage ?? '',
            headers: outHeaders,
            body: resBody,
          });
        }, reject);
      });
      up.on('error', (err) => reject(new Error(`upstream ${opts.upstream}: ${err.message}`)));
      up.end(body);
    });
  }

  return proxy;
}

/**
 * moto routes a request on a bare IP host by the credential scope of its Authorization header, so a
 * presigned GET (an EKS token) would land in S3: restate its query signature as that header. moto
 * checks no signatures either way.
 */
function routableHeaders(headers: http.IncomingHttpHeaders, params: URLSearchParams): http.IncomingHttpHeaders {
  const credential = params.get('X-Amz-Credential');
  if (headers.authorization || !credential) return headers;
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${params.get('X-Amz-SignedHeaders') ?? 'host'}, Signature=${params.get('X-Amz-Signature') ?? ''}`,
  };
}

/** Query-string parameters overlaid with form-body parameters. */
function requestParams(req: http.IncomingMessage, body: Buffer): URLSearchParams {
  const params = new URL(req.url ?? '/', 'http://proxy.invalid').searchParams;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded') || (type === '' && body.length > 0)) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
  }
  return params;
}

function describeCall(req: http.IncomingMessage, params: URLSearchParams): StsCall {
  const call: StsCall = {
    action: params.get('Action') ?? '',
    // Presigned requests carry the token in the query string instead.
    chained: Boolean(req.headers['x-amz-security-token'] || params.get('X-Amz-Security-Token')),
  };
  // Only set what the request had, so tests can compare calls with deepEqual.
  const duration = params.get('DurationSeconds');
  if (duration !== null) call.durationSeconds = Number(duration);
  const roleArn = params.get('RoleArn');
  if (roleArn !== null) call.roleArn = roleArn;
  const tokenCode = params.get('TokenCode');
  if (tokenCode !== null) call.tokenCode = tokenCode;
  return call;
}

function checkDuration(seconds: number | undefined, range: { min: number; max: number }): StsError | undefined {
  if (seconds === undefined) return undefined;
  if (Number.isInteger(seconds) && seconds >= range.min && seconds <= range.max) return undefined;
  const constraint =
    seconds < range.min ? `Member must have value greater than or equal to ${range.min}` : `Member must have value less than or equal to ${range.max}`;
  return validationError(`1 validation error detected: Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: ${constraint}`);
}

function accessDenied(message: string): StsError {
  return { status: 403, type: 'Sender', code: 'AccessDenied', message };
}

function validationError(message: string): StsError {
  return { status: 400, type: 'Sender', code: 'ValidationError', message };
}

/** Answer in the STS XML error format, as the SDKs parse it. */
function sendError(res: http.ServerResponse, err: StsError): void {
  const requestId = randomUUID();
  const body =
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
    `<Error><Type>${err.type}</Type><Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  res
    .writeHead(err.status, {
      'content-type': 'text/xml',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
    })
    .end(body);
}

/** Escape element text; named entities only, which every XML parser decodes. */
function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

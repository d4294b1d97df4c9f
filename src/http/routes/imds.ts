import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { accountFromArn } from '../../aws/arn.js';
import { imdsDocument, isoSeconds } from '../../engine/served.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { CredsSource } from '../creds-source.js';
import type { ImdsTokens } from '../imds-tokens.js';
import { checkProfileName } from '../../aws/profile-name.js';

export interface ImdsRouteOptions {
  source: CredsSource;
  tokens: ImdsTokens;
  now(): number;
}

const ROLES = '/latest/meta-data/iam/security-credentials';
/** What real IMDS allows for `X-aws-ec2-metadata-token-ttl-seconds`. */
const MAX_TTL = 21600;

/** Real IMDS answers every path as text/plain, JSON documents included. */
const text = (reply: FastifyReply, body: string) => reply.code(200).type('text/plain; charset=utf-8').send(body);

/**
 * The EC2 instance-metadata paths that SDKs read, with the IMDSv2 token flow (the guard checks
 * the token on every GET). The "instance role" is the active profile: a name other than the
 * active one is 404, as on EC2, so a client that remembered a name asks again after a switch.
 */
export function registerImdsRoutes(root: FastifyInstance, opts: ImdsRouteOptions): void {
  void root.register(async (app) => {
    // EC2 ignores request bodies, whatever their type (clients differ in what they send with the PUT).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
    routes(app, opts);
  });
}

function routes(app: FastifyInstance, opts: ImdsRouteOptions): void {
  const { source } = opts;
  const active = (): string => {
    const name = source.activeProfile();
    if (!name) throw new NotFoundError();
    return name;
  };
  const region = (): string => {
    const r = source.region(active());
    if (!r) throw new NotFoundError();
    return r;
  };
  /** Account and partition without calling STS where the config names them. */
  const identity = async (name: string): Promise<{ account?: string | undefined; partition: string }> => {
    const plan = source.plan(name);
    const arn = plan.roles[plan.roles.length - 1]?.roleArn ?? plan.mfaSerial;
    const partition = /^arn:([\w-]+):/.exec(arn ?? '')?.[1] ?? 'aws';
    return { account: accountFromArn(arn) ?? (await source.credentials(name)).accountId, partition };
  };

  app.put('/latest/api/token', async (req, reply) => {
    const raw = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
    const ttl = typeof raw === 'string' && /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(ttl >= 1 && ttl <= MAX_TTL)) throw new BadRequestError(`X-aws-ec2-metadata-token-ttl-seconds must be a whole number from 1 to ${MAX_TTL}.`);
    reply.header('x-aws-ec2-metadata-token-ttl-seconds', String(ttl));
    return text(reply, opts.tokens.issue(ttl));
  });

  for (const path of [ROLES, `${ROLES}/`]) app.get(path, async (_req, reply) => text(reply, active()));
  app.get<{ Params: { name: string } }>(`${ROLES}/:name`, async (req, reply) => {
    // Admission has refused any name but the active profile's (the instance role), as EC2 does.
    const name = checkProfileName(req.params.name);
    return text(reply, imdsDocument(await source.credentials(name)));
  });

  app.get('/latest/meta-data/iam/info', async (_req, reply) => {
    const name = active();
    const { account, partition } = await identity(name);
    const info: Record<string, string> = { Code: 'Success', LastUpdated: isoSeconds(opts.now()) };
    if (account) info.InstanceProfileArn = `arn:${partition}:iam::${account}:instance-profile/${name}`;
    // Stable per profile, shaped like an instance-profile ID; nothing reads it but parsers.
    info.InstanceProfileId = `AIPA${createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase()}`;
    return text(reply, JSON.stringify(info, null, 2));
  });
  app.get('/latest/meta-data/placement/region', async (_req, reply) => text(reply, region()));
  // botocore derives the region from the zone by dropping its last letter.
  for (const path of ['/latest/meta-data/placement/availability-zone', '/latest/meta-data/placement/availability-zone/']) {
    app.get(path, async (_req, reply) => text(reply, `${region()}a`));
  }
  app.get('/latest/dynamic/instance-identity/document', async (_req, reply) => {
    const name = active();
    const doc: Record<string, string> = {};
    const { account } = await identity(name);
    if (account) doc.accountId = account;
    const r = source.region(name);
    if (r) Object.assign(doc, { region: r, availabilityZone: `${r}a` });
    return text(reply, JSON.stringify(doc, null, 2));
  });
}

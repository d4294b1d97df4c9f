import type { FastifyInstance } from 'fastify';
import { checkProfileName } from '../aws/profile-name.js';
import type { ConsoleAnswer, ConsoleRequest, EksTokenAnswer, EksTokenRequest } from '../control/contract.js';

export interface ConsoleEksHandlers {
  console(req: ConsoleRequest): Promise<ConsoleAnswer>;
  eksToken(req: EksTokenRequest): Promise<EksTokenAnswer>;
}

const str = (max: number) => ({ type: 'string', maxLength: max }) as const;

/**
 * The control-socket routes of `credd console` (POST /console) and `credd eks-token`
 * (GET /eks-token). Neither logs anything: the answers are bearer credentials.
 */
export function registerConsoleEksRoutes(app: FastifyInstance, handlers: ConsoleEksHandlers): void {
  app.post<{ Body: ConsoleRequest }>(
    '/console',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            profile: str(128),
            long: { type: 'boolean' },
            code: str(16),
            destination: str(1024),
            signinUrl: str(1024),
            logoutFirst: { type: 'boolean' },
            stdout: { type: 'boolean' },
          },
        },
      },
    },
    async (req) => handlers.console({ ...req.body, ...(req.body.profile !== undefined ? { profile: checkProfileName(req.body.profile) } : {}) }),
  );
  app.get<{ Querystring: EksTokenRequest }>(
    '/eks-token',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['cluster'],
          properties: { cluster: str(200), profile: str(128), region: str(64) },
        },
      },
    },
    async (req) => handlers.eksToken({ ...req.query, ...(req.query.profile !== undefined ? { profile: checkProfileName(req.query.profile) } : {}) }),
  );
}

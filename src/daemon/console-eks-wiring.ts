import type { FastifyInstance } from 'fastify';
import type { EnvEndpoints } from '../aws/endpoints.js';
import { fetchGet, type HttpGet } from '../aws/federation.js';
import type { Sts } from '../aws/sts.js';
import { registerConsoleEksRoutes } from './console-eks-routes.js';
import { createConsoleSignin } from './console-signin.js';
import type { Core } from './core.js';
import { createEksTokens } from './eks-tokens.js';
import { writeSigninPage } from './signin-page.js';

export interface ConsoleEksWiring {
  core: Core;
  sts: Sts;
  endpoints: EnvEndpoints;
  now(): number;
  /** Where the console's forwarding pages go (the private runtime directory). */
  runtimeDir: string;
  /** The sign-in endpoint's HTTP client (default: fetch). */
  get?: HttpGet;
}

/** Builds the console and eks-token services on the core and returns their route registration. */
export function consoleEksRoutes(w: ConsoleEksWiring): (app: FastifyInstance) => void {
  const { core } = w;
  const signIn = createConsoleSignin({
    sts: w.sts,
    endpoints: w.endpoints,
    now: w.now,
    served: (name) => core.credentials(name),
    refresh: (name) => core.refresh(name),
    plan: (name) => core.plan(name),
    activeProfile: () => core.activeProfile(),
    get: w.get ?? fetchGet,
    writePage: (url) => writeSigninPage(w.runtimeDir, url),
  });
  const eksToken = createEksTokens({
    credentials: (name) => core.credentials(name),
    plan: (name) => core.plan(name),
    activeProfile: () => core.activeProfile(),
    endpoints: w.endpoints,
    now: w.now,
  });
  return (app) => registerConsoleEksRoutes(app, { console: signIn, eksToken });
}

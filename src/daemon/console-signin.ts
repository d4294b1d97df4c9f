import { consoleCredentials, type ConsoleCredentialDeps } from '../aws/federation-credentials.js';
import type { ConsoleAnswer, ConsoleRequest } from '../control/contract.js';
import { destinationUrl, loginUrl, logoutThen, signinBase, signinTokenUrl } from '../aws/federation-url.js';
import { requestSigninToken, type HttpGet } from '../aws/federation.js';
import { partitionOf } from '../aws/partition.js';
import type { Plan } from '../aws/resolve-plan.js';
import { isoSeconds } from '../engine/served.js';
import { NoActiveProfileError } from '../errors.js';

export interface ConsoleSigninDeps extends ConsoleCredentialDeps {
  plan(name: string): Plan;
  activeProfile(): string | undefined;
  get: HttpGet;
  /** Writes the forwarding page (0600, deleted soon) and returns its path. */
  writePage(url: string): string;
}

/** Signs a profile in to the AWS console through the federation endpoint of its partition. */
export function createConsoleSignin(deps: ConsoleSigninDeps): (req: ConsoleRequest) => Promise<ConsoleAnswer> {
  return async (req) => {
    const name = req.profile ?? deps.activeProfile();
    if (name === undefined) throw new NoActiveProfileError();
    const plan = deps.plan(name);
    const partition = partitionOf(plan.roles.at(-1)?.roleArn ?? plan.mfaSerial, plan.region);
    const destination = destinationUrl(partition, plan.region, req.destination);
    const base = signinBase(partition, req.signinUrl, req.logoutFirst);
    const c = await consoleCredentials(deps, plan, req);
    const token = await requestSigninToken(deps.get, signinTokenUrl(base, c.credentials, c.sessionDuration));
    const login = loginUrl(base, token, destination);
    const url = req.logoutFirst ? logoutThen(base, login) : login;
    const answer: ConsoleAnswer = { profile: name, kind: c.kind, endsAt: isoSeconds(c.endsAt) };
    if (c.sessionDuration !== undefined) answer.sessionDuration = c.sessionDuration;
    if (c.federatedUser) answer.federatedUser = c.federatedUser;
    if (req.stdout) answer.url = url;
    else answer.page = deps.writePage(url);
    return answer;
  };
}

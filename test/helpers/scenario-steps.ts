/** Steps that end-to-end tests share over a running scenario (`startScenario` in credd-process.ts). */
import type { Test } from 'tap';
import { credd, endpointOf, httpGet, type RunResult, type Sandbox, type Scenario } from './credd-process.js';

/** An answer of the credentials endpoint, its JSON body parsed. */
export interface Answer {
  status: number;
  body: Record<string, string>;
}

/** GET `path` from the sandbox's daemon with its token, through node:http (fetch adds browser headers, which the endpoint refuses). */
export async function daemonGet(box: Sandbox, path: string): Promise<Answer> {
  const { url, token } = endpointOf(box);
  const r = await httpGet(`${url}${path}`, { Authorization: token });
  return { status: r.status, body: JSON.parse(r.body) as Record<string, string> };
}

/** Polls `cond` until it holds; fails `t` after `ms` and resolves false (no duration is asserted). */
export async function until(t: Test, what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) {
      t.fail(`timed out waiting: ${what}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `credd switch dev`, then the one MFA code: the daemon holds the session every scenario profile rests on. */
export async function signIn(t: Test, box: Sandbox): Promise<void> {
  t.equal((await credd(box.env, ['switch', 'dev'])).code, 0);
  const mfa = await credd(box.env, ['mfa', '123456']);
  t.equal(mfa.code, 0, mfa.stderr);
}

/** Makes STS answer after `slowMs`, then `credd switch profile` (which waits for the credentials); asserts it exits 0. */
export async function switchWithSlowSts(t: Test, { box, proxy }: Pick<Scenario, 'box' | 'proxy'>, profile: string, slowMs = 1500): Promise<RunResult> {
  proxy.mode = 'slow';
  proxy.slowMs = slowMs;
  const r = await credd(box.env, ['switch', profile]);
  t.equal(r.code, 0, r.stderr);
  return r;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAwsConfig, type AwsConfig } from '../aws/config.js';
import { resolvePlan } from '../aws/resolve-plan.js';
import type { EndpointRecord } from '../control/contract.js';
import { loadSettings } from '../settings.js';
import type { CliContext } from './context.js';

/**
 * What the CLI can know without the daemon: the running daemon's real address (from
 * its endpoint record, if that process lives) or the configured one, and the active profile
 * as last saved. `credd env` runs in shell rc files, before any daemon is up.
 */
export function localEndpoint(ctx: CliContext): string {
  try {
    const rec = JSON.parse(readFileSync(join(ctx.paths.runtimeDir, 'endpoint.json'), 'utf8')) as EndpointRecord;
    if (!Number.isInteger(rec.port)) throw new Error('no port in the endpoint record');
    process.kill(rec.pid, 0);
    return `http://127.0.0.1:${rec.port}`;
  } catch {
    const s = loadSettings(ctx.paths.settingsFile, ctx.env);
    // SDKs accept only loopback for plain http; a wildcard listen address is reached on 127.0.0.1.
    return `http://127.0.0.1:${s.port}`;
  }
}

/** The active profile as the daemon last saved it. */
export function savedActiveProfile(ctx: CliContext): string | undefined {
  try {
    const s = JSON.parse(readFileSync(ctx.paths.stateFile, 'utf8')) as { activeProfile?: unknown };
    return typeof s.activeProfile === 'string' ? s.activeProfile : undefined;
  } catch {
    return undefined;
  }
}

/** The AWS config as the CLI sees it, or undefined if it does not parse (the daemon reports that). */
export function localConfig(ctx: CliContext): AwsConfig | undefined {
  try {
    return loadAwsConfig(ctx.awsPaths);
  } catch {
    return undefined;
  }
}

/** The region a profile resolves to, looking down its source chain. */
export function regionOf(config: AwsConfig | undefined, name: string | undefined): string | undefined {
  if (!config || !name) return undefined;
  try {
    return resolvePlan(config, name).region;
  } catch {
    return config.profiles.get(name)?.region;
  }
}

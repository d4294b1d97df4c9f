import type { Served } from '../engine/served.js';

/** What the credential endpoint needs from the daemon (the core provides all of it). */
export interface CredsSource {
  credentials(name?: string): Promise<Served>;
  /**
   * What `credentials(name)` would serve as the body, synchronously, when it is cached and fresh
   * (else undefined): lets the fast path answer without fastify. With `kind` 'imds', the IMDS
   * credential document (`imdsDocument`); which name IMDS may serve is the admission's rule, not
   * this method's. Optional: without it, every request goes through fastify.
   */
  cachedBody?(name?: string, kind?: 'container' | 'imds'): string | undefined;
  activeProfile(): string | undefined;
  region(name?: string): string | undefined;
  /** The profile's recipe; only the role ARNs and the MFA device are read, for the account. */
  plan(name: string): { roles: ReadonlyArray<{ roleArn: string }>; mfaSerial?: string | undefined };
}

import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../state/secure-fs.js';

/** How long the page stays on disk: the browser reads it within seconds; the URL inside is good for 15 min. */
export const PAGE_LIFETIME_MS = 60_000;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Writes a 0600 page in the private runtime directory that forwards the browser to `url`,
 * and deletes it after `lifetimeMs`. The browser is then started with the page's path, so
 * the sign-in URL (a bearer credential) never appears in any process's argv.
 */
export function writeSigninPage(dir: string, url: string, lifetimeMs = PAGE_LIFETIME_MS): string {
  ensurePrivateDir(dir);
  const file = join(dir, `console-${randomBytes(8).toString('hex')}.html`);
  const href = escapeHtml(url);
  writeFileSync(
    file,
    `<!doctype html>\n<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta http-equiv="refresh" content="0;url=${href}"><title>credd console</title></head>` +
      `<body><p><a href="${href}">Open the AWS console</a></p></body></html>\n`,
    { mode: 0o600, flag: 'wx' },
  );
  setTimeout(() => rmSync(file, { force: true }), lifetimeMs).unref();
  return file;
}

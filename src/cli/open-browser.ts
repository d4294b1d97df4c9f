import { spawn } from 'node:child_process';
import { BadRequestError } from '../errors.js';

/**
 * The command that opens `target`: the first entry of $BROWSER (`%s` stands for the target,
 * else it is appended), else `open` on macOS and `xdg-open` elsewhere.
 */
export function browserCommand(env: Record<string, string | undefined>, platform: NodeJS.Platform, target: string): string[] {
  const first = (env.BROWSER ?? '').split(':')[0]!.trim();
  if (first) {
    const words = first.split(/\s+/);
    return words.some((w) => w.includes('%s')) ? words.map((w) => w.replace(/%s/g, target).replace(/%%/g, '%')) : [...words, target];
  }
  return [platform === 'darwin' ? 'open' : 'xdg-open', target];
}

/** Starts the browser on `target`, detached; resolves once it has started. */
export function openBrowser(env: Record<string, string | undefined>, platform: NodeJS.Platform, target: string): Promise<void> {
  const [cmd, ...args] = browserCommand(env, platform, target);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { detached: true, stdio: 'ignore' });
    child.once('error', (err) =>
      reject(
        new BadRequestError(
          `Cannot start ${cmd} (${(err as NodeJS.ErrnoException).code ?? err.message}): set BROWSER, or use --stdout and open the URL yourself.`,
        ),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}

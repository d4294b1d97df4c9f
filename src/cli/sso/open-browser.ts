import { spawn } from 'node:child_process';

/**
 * Opens `url` in the user's browser: `$BROWSER` if set, else `xdg-open` (Linux, BSD) or `open`
 * (macOS). Resolves false when the command cannot be started, so the caller prints the URL.
 */
export function openBrowser(url: string, env: Record<string, string | undefined>, platform: NodeJS.Platform): Promise<boolean> {
  const cmd = env.BROWSER || (platform === 'darwin' ? 'open' : 'xdg-open');
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, [url], { detached: true, stdio: 'ignore', env: env as NodeJS.ProcessEnv });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

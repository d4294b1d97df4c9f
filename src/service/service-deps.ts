import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';

/** The outcome of one systemctl/launchctl call. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What `credd service` touches, injected so tests assert the exact files and commands. */
export interface ServiceDeps {
  /** Runs argv without a shell. Rejects (ENOENT) when the program is missing. */
  run(argv: string[]): Promise<RunResult>;
  fs: {
    /** The file's text, or undefined when it does not exist. */
    read(path: string): string | undefined;
    write(path: string, content: string, mode: number): void;
    /** Creates the directory and its parents when missing (existing ones keep their mode). */
    mkdir(path: string, mode: number): void;
    remove(path: string): void;
  };
  home: string;
  uid: number;
  sleep(ms: number): Promise<void>;
}

/** The real thing: child_process and node:fs. */
export function realServiceDeps(env: Record<string, string | undefined>): ServiceDeps {
  return {
    run: (argv) =>
      new Promise((resolve, reject) => {
        execFile(argv[0]!, argv.slice(1), { timeout: 60000 }, (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
          if (e && typeof e.code === 'string') reject(e);
          else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr });
        });
      }),
    fs: {
      read(path) {
        try {
          return readFileSync(path, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw err;
        }
      },
      write(path, content, mode) {
        writeFileSync(path, content, { mode });
        chmodSync(path, mode);
      },
      mkdir: (path, mode) => void mkdirSync(path, { recursive: true, mode }),
      remove: (path) => rmSync(path, { force: true }),
    },
    home: env.HOME || homedir(),
    uid: process.getuid?.() ?? 0,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

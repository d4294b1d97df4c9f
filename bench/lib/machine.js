// What the numbers were measured on.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** CPU, cores, memory, OS, Node, autocannon version and the commit (`git rev-parse`, read-only). */
export function describeMachine(repoDir) {
  const cpus = os.cpus();
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoDir, encoding: 'utf8' });
  let autocannon;
  try {
    autocannon = JSON.parse(readFileSync(join(repoDir, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version;
  } catch {
    autocannon = undefined;
  }
  return {
    cpu: cpus[0]?.model?.trim(),
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    autocannon,
    commit: git.status === 0 ? git.stdout.trim() : undefined,
    // The bench measures dist/ as built from the working tree, which may be ahead of the commit.
    srcUncommittedChanges: dirty.status === 0 ? dirty.stdout.trim().split('\n').filter(Boolean).length : undefined,
  };
}

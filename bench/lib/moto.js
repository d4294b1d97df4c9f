// A moto_server for the bench (test/helpers/moto.ts is TypeScript; this is its plain-JS minimum).
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { exitReason, hasCommand, stopChild, tail, waitUntil } from './processes.js';

/** Asks the OS for a free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true when anything answers an HTTP GET at `url`. */
export function answers(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}

/** Starts `moto_server -H 127.0.0.1 -p PORT`; returns `{ url, stop() }`. */
export async function startMoto() {
  if (!hasCommand('moto_server')) throw new Error('moto_server not found (pip install "moto[server]")');
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = tail(child.stderr);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(() => answers(url), 'moto_server', { failed: exitReason(child) });
  } catch (err) {
    await stopChild(child);
    throw new Error(`moto_server did not start: ${err.message}\n${stderr()}`);
  }
  return { url, child, stop: () => stopChild(child) };
}

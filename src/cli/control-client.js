import { request } from 'node:http';
import { DaemonNotRunningError, fromWire } from '../errors.js';
/**
 * Creates the client. A missing or refusing socket becomes DaemonNotRunningError;
 * a `{Code, Message}` answer becomes the matching CreddError.
 */
export function createControlClient(socketPath, timeoutMs = 30000) {
    const call = (method, path, body, timeout = timeoutMs) => new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request({ socketPath, path, method, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}, timeout }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                let parsed;
                try {
                    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
                }
                catch {
                    parsed = {};
                }
                const status = res.statusCode;
                if (status >= 400)
                    reject(fromWire(parsed, status));
                else
                    resolve(parsed);
            });
            // A daemon that dies mid-answer: without this the promise never settles and the CLI exits 0, silently.
            res.on('close', () => {
                if (!res.complete)
                    reject(new DaemonNotRunningError(`credd closed the connection on ${socketPath} before answering: check \`credd status\`.`));
            });
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (err) => {
            if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
                reject(new DaemonNotRunningError());
            else
                reject(new DaemonNotRunningError(`credd did not answer on ${socketPath} (${err.code ?? err.message}): check \`credd status\`.`));
        });
        req.end(data);
    });
    return { get: (p, o) => call('GET', p, undefined, o?.timeoutMs), post: (p, b) => call('POST', p, b ?? {}) };
}

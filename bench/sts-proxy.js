// The strict STS proxy of the tests (test/helpers/sts-proxy.ts, built to build/test-helpers/) in a
// process of its own, so that the bench's event loop (1,000 client sockets in a cold burst, the
// CLIs it runs with spawnSync) never delays an STS answer. Started by lib/sts-proxy.js with an IPC
// channel: BENCH_UPSTREAM is moto's URL; it sends `{ port }` once listening, and answers each
// `'calls'` message with every STS request received so far (`[{ action, roleArn?, tokenCode?, … }]`).
import { startStsProxy } from '../build/test-helpers/sts-proxy.js';

const proxy = await startStsProxy({ upstream: process.env.BENCH_UPSTREAM ?? '' });
process.on('message', (m) => m === 'calls' && process.send({ calls: proxy.calls }));
process.send({ port: proxy.port });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => void proxy.close().then(() => process.exit(0)));

/**
 * End to end through IMDS: the built daemon against moto_server (behind the strict STS proxy).
 * `credd env --imds` names the real endpoint, and the endpoint refuses a DNS-rebinding Host.
 * The real clients (AWS CLI, boto3, JS v3) through IMDS are in clients.test.ts.
 */
import http from 'node:http';
import t from 'tap';
import { credd, startScenario } from '../helpers/credd-process.js';

const world = await startScenario(t);
if (world) {
  const { box, daemon } = world;
  let endpoint = '';

  t.test('credd mfa + credd switch dev, then credd env --imds names the endpoint', async (t) => {
    const mfa = await credd(box.env, ['mfa', '123456', '--profile', 'dev']);
    t.equal(mfa.code, 0, mfa.stderr);
    t.equal((await credd(box.env, ['switch', 'dev'])).code, 0);
    const env = await credd(box.env, ['env', '--imds']);
    t.equal(env.code, 0, env.stderr);
    const m = /export AWS_EC2_METADATA_SERVICE_ENDPOINT='(http:\/\/127\.0\.0\.1:\d+\/)'/.exec(env.stdout);
    t.ok(m, env.stdout);
    endpoint = m?.[1] ?? '';
    const status = JSON.parse((await credd(box.env, ['status', '--json'])).stdout);
    t.equal(`${status.endpoint}/`, endpoint, 'the real port of the --port 0 daemon');
    t.equal(status.security.imds, true);
    t.equal(status.security.peerCheck.enabled, process.platform === 'linux', status.security.peerCheck.detail);
  });

  t.test('a DNS-rebinding Host is refused, logged once as a security event, and no secret is logged', async (t) => {
    const url = new URL(endpoint);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .request(
          {
            host: url.hostname,
            port: url.port,
            method: 'PUT',
            path: '/latest/api/token',
            headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60', Host: `rebind.attacker.example:${url.port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on('error', reject)
        .end();
    });
    t.equal(status, 403);
    const creds = JSON.parse((await credd(box.env, ['credential-process', 'prod'])).stdout);
    // The log line is written by the daemon process: give its stderr a moment to arrive.
    for (let i = 0; i < 50 && !daemon.log().includes('"reason":"bad-host"'); i++) await new Promise((r) => setTimeout(r, 50));
    const log = daemon.log();
    t.equal(log.split('"reason":"bad-host"').length - 1, 1, 'one security event');
    t.notMatch(log, creds.SecretAccessKey, 'no secret key in the daemon log');
    t.notMatch(log, creds.SessionToken, 'no session token in the daemon log');
  });
}

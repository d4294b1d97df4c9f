import t from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { resolvePlan } from '../../src/aws/resolve-plan.js';

const paths = { configFile: 'config', credentialsFile: 'credentials' };

t.test('a role profile with mfa_serial uses the shared source session, capped at 1 hour', async (t) => {
  const cfg = parseAwsConfig(
    '[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Dev\nmfa_serial = arn:aws:iam::111111111111:mfa/u\nduration_seconds = 7200\nregion = us-west-2\n',
    '[management]\naws_access_key_id = AKIA\naws_secret_access_key = SECRET\n',
    paths,
  );
  const plan = resolvePlan(cfg, 'dev');
  t.equal(plan.root, 'management');
  t.equal(plan.sessionKey, 'management|arn:aws:iam::111111111111:mfa/u');
  t.equal(plan.roles[0]!.durationSeconds, 3600);
  t.equal(plan.roles[0]!.cappedFrom, 7200);
});

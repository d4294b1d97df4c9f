import t from 'tap';
import { checkRegion, partitionHosts, partitionOf, stsHostFor } from '../../src/aws/partition.js';

t.test('the partition comes from the ARN first, then the region', async (t) => {
  t.equal(partitionOf('arn:aws-cn:iam::111111111111:role/x', 'us-west-2'), 'aws-cn');
  t.equal(partitionOf('arn:aws-us-gov:iam::111111111111:role/x', undefined), 'aws-us-gov');
  t.equal(partitionOf('arn:aws:iam::111111111111:role/x', 'cn-north-1'), 'aws');
  t.equal(partitionOf(undefined, 'cn-northwest-1'), 'aws-cn');
  t.equal(partitionOf(undefined, 'us-gov-east-1'), 'aws-us-gov');
  t.equal(partitionOf('not an arn', undefined), 'aws');
});

t.test('sign-in and console hosts per partition', async (t) => {
  t.same(partitionHosts('aws'), { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' });
  t.same(partitionHosts('aws-cn'), { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' });
  t.same(partitionHosts('aws-us-gov'), { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' });
});

t.test('STS hosts as botocore picks them; a region must look like one', async (t) => {
  t.equal(stsHostFor(undefined), 'sts.amazonaws.com');
  t.equal(stsHostFor('eu-west-1'), 'sts.eu-west-1.amazonaws.com');
  t.equal(stsHostFor('cn-north-1'), 'sts.cn-north-1.amazonaws.com.cn');
  for (const bad of ['', 'us', 'evil.com#', 'US-WEST-2', 'us-west-2.x']) t.throws(() => checkRegion(bad), { code: 'BadRequest' }, bad);
});

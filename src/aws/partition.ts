import { BadRequestError } from '../errors.js';

/** The AWS partitions credd knows the public hosts of. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** Region names as AWS spells them (`us-west-2`, `us-gov-west-1`, `cn-north-1`). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Hosts of one partition: the console sign-in (federation) endpoint and the console itself. */
export interface PartitionHosts {
  signin: string;
  console: string;
}

const HOSTS: Record<Partition, PartitionHosts> = {
  aws: { signin: 'signin.aws.amazon.com', console: 'console.aws.amazon.com' },
  'aws-cn': { signin: 'signin.amazonaws.cn', console: 'console.amazonaws.cn' },
  'aws-us-gov': { signin: 'signin.amazonaws-us-gov.com', console: 'console.amazonaws-us-gov.com' },
};

/** Throws BadRequest unless `region` is spelled like an AWS region (it ends up in a host name). */
export function checkRegion(region: string): string {
  if (!REGION.test(region)) throw new BadRequestError(`"${region.slice(0, 40)}" is not an AWS region name (like us-west-2).`);
  return region;
}

/** The partition of an ARN (`arn:aws-cn:…`) if given, else of a region (`cn-…`, `us-gov-…`), else `aws`. */
export function partitionOf(arn: string | undefined, region: string | undefined): Partition {
  const fromArn = arn ? /^arn:(aws|aws-cn|aws-us-gov):/.exec(arn)?.[1] : undefined;
  if (fromArn) return fromArn as Partition;
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The sign-in and console hosts of a partition. */
export function partitionHosts(p: Partition): PartitionHosts {
  return HOSTS[p];
}

/** The regional STS host, as botocore picks it; no region gives the global host (signed for us-east-1). */
export function stsHostFor(region: string | undefined): string {
  if (region === undefined) return 'sts.amazonaws.com';
  checkRegion(region);
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

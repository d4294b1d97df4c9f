/** The 12-digit account of an IAM/STS ARN (`arn:aws:iam::111111111111:mfa/x`), if any. */
export function accountFromArn(arn: string | undefined): string | undefined {
  return arn ? /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] : undefined;
}

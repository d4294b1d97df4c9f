import { BadRequestError } from '../errors.js';

/** EKS cluster names (and Outposts cluster ids): 1–100 of letters, digits, `-` and `_`, starting alphanumeric. */
const CLUSTER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Throws BadRequest unless `cluster` can be an EKS cluster name or id. (No SDK here: the CLI imports it.) */
export function checkClusterName(cluster: string): string {
  if (!CLUSTER.test(cluster))
    throw new BadRequestError(`"${cluster.slice(0, 120)}" is not an EKS cluster name (1–100 letters, digits, - and _, starting with a letter or digit).`);
  return cluster;
}

/** How long an answer may wait on STS by default: under the JS v3 SDK's 1 s timeout, with room for the trip. */
export const DEFAULT_ANSWER_WITHIN_MS = 800;

/**
 * Settles like `work`, or rejects with `late()` once `ms` have passed, whichever comes first.
 * `work` itself goes on: a slow STS call still fills the cache, so the client's retry is answered
 * from memory instead of timing out again (the SDKs retry a 503; their own timeouts would abort
 * the connection without a reason). A rejection of `work` after the deadline is handled here, so
 * it is never unhandled; the engine has recorded it for `credd status` already.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

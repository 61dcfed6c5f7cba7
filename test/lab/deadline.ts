/**
 * A deadline for the lab's self-tests: what must happen on loopback within milliseconds fails
 * with an assertion that says what did not happen, instead of hanging until the runner's
 * two-minute timeout. The deadline is generous (a loaded machine must not trip it) and is only
 * ever reached when the behaviour under test is broken.
 */
import assert from 'node:assert/strict';

export async function within<T>(work: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new assert.AssertionError({ message: `${what}: not within ${ms} ms` })),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

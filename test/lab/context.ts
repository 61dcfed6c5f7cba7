/**
 * The ProbeContext every probe test starts from: the lab interlock on, no proxy, nothing
 * trusted, an empty lab catalog. Tests override what they exercise.
 */
import { NO_PROXY, type ProbeContext } from '../../probes/context.ts';
import { createInterlock } from '../../probes/interlock.ts';
import type { Catalog } from '../../probes/types.ts';

export function emptyLabCatalog(): Catalog {
  return {
    schema: 'reconnect.catalog/v1',
    cloud: 'lab',
    endpoints: [],
    media: [],
    publicResolvers: [],
    timeSources: [],
    microsoftRoots: [],
  };
}

export function labContext(overrides: Partial<ProbeContext> = {}): ProbeContext {
  return {
    interlock: createInterlock({ enabled: true }),
    systemResolver: null,
    proxy: NO_PROXY,
    trustedCa: [],
    catalog: emptyLabCatalog(),
    now: () => Date.now(),
    ...overrides,
  };
}

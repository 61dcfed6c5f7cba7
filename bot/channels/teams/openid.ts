/**
 * The channel's signing keys, fetched once at a time (issue 16, defect 9). botbuilder's
 * OpenIdMetadata refreshes its keys on every call that finds them stale or misses a key id, with
 * no coalescing: 300 forged tokens right after start made the bot fetch the OpenID document and
 * the keys 488 times (in production from login.botframework.com). This keeps botbuilder's
 * validation and replaces only the cache in front of it:
 *
 * - one refresh in flight per metadata URL; every caller waits for that one;
 * - a failed refresh is remembered for `failureTtlMs`, and callers in that time get its error
 *   (a 503 from auth.ts's classification) without a fetch;
 * - an unknown key id refetches at most once per `unknownKidIntervalMs` (botbuilder: once an
 *   hour, but only after its 24 h cache; forged kids then cost nothing).
 *
 * botbuilder keeps one OpenIdMetadata per URL in JwtTokenExtractor's static cache, made by its
 * static getOrAddOpenIdMetadata; `installKeyCache` replaces that factory, so every validation
 * path (channel, emulator, skills) gets this cache. Neither class is exported by the package's
 * index; both are stable parts of botframework-connector 4.23.3, the SDK's final release.
 */
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor.js';
import { OpenIdMetadata } from 'botframework-connector/lib/auth/openIdMetadata.js';

type Key = Awaited<ReturnType<OpenIdMetadata['getKey']>>;

/** botbuilder's own fetch and lookup, private in its typings. */
interface Inner {
  refreshCache(): Promise<void>;
  findKey(keyId: string): Key;
}

export interface KeyCacheOptions {
  now?: () => number;
  /** Keys are refetched when older than this (botbuilder's default: 24 h). */
  refreshMs?: number;
  failureTtlMs?: number;
  unknownKidIntervalMs?: number;
}

export class CoalescingOpenIdMetadata extends OpenIdMetadata {
  readonly #now: () => number;
  readonly #refreshMs: number;
  readonly #failureTtlMs: number;
  readonly #unknownKidMs: number;
  #updatedAt = Number.NEGATIVE_INFINITY;
  #missRefreshAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #failure: { error: unknown; at: number } | undefined;

  constructor(url: string, options: KeyCacheOptions = {}) {
    super(url);
    this.#now = options.now ?? Date.now;
    this.#refreshMs = options.refreshMs ?? 24 * 3600_000;
    this.#failureTtlMs = options.failureTtlMs ?? 30_000;
    this.#unknownKidMs = options.unknownKidIntervalMs ?? 5 * 60_000;
  }

  get #inner(): Inner {
    return this as unknown as Inner;
  }

  /** One fetch at a time; a recent failure is answered from memory. */
  #refresh(): Promise<void> {
    if (this.#inflight) return this.#inflight;
    const failure = this.#failure;
    if (failure && this.#now() - failure.at < this.#failureTtlMs) return Promise.reject(failure.error);
    const started = this.#inner.refreshCache().then(
      () => {
        this.#updatedAt = this.#now();
        this.#failure = undefined;
      },
      (error: unknown) => {
        this.#failure = { error, at: this.#now() };
        throw error;
      },
    );
    this.#inflight = started.finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  override async getKey(keyId: string): Promise<Key> {
    if (this.#now() - this.#updatedAt >= this.#refreshMs) {
      try {
        await this.#refresh();
      } catch (error) {
        // Keys we already have still verify tokens while the metadata host is down.
        const known = this.#inner.findKey(keyId);
        if (known) return known;
        throw error;
      }
      return this.#inner.findKey(keyId);
    }
    const key = this.#inner.findKey(keyId);
    if (key || this.#now() - this.#missRefreshAt < this.#unknownKidMs) return key;
    this.#missRefreshAt = this.#now();
    await this.#refresh().catch(() => undefined);
    return this.#inner.findKey(keyId);
  }
}

type Factory = (url: string) => OpenIdMetadata;
const statics = JwtTokenExtractor as unknown as {
  openIdMetadataCache: Map<string, OpenIdMetadata>;
  getOrAddOpenIdMetadata: Factory;
};

/** Makes botbuilder use CoalescingOpenIdMetadata for every metadata URL (idempotent). */
export function installKeyCache(options: KeyCacheOptions = {}): void {
  statics.getOrAddOpenIdMetadata = (url: string) => {
    const known = statics.openIdMetadataCache.get(url);
    if (known instanceof CoalescingOpenIdMetadata) return known;
    const made = new CoalescingOpenIdMetadata(url, options);
    statics.openIdMetadataCache.set(url, made);
    return made;
  };
}

/**
 * The store as the metrics see it: a transparent wrapper (a Proxy per area, so any Store
 * implementation, SQLite, memory or Redis, and any method added later pass through unchanged)
 * that counts failed operations by area and method, failed pairing redeems by reason and outbox
 * attempts by result, and tells the turn observer which sessions a turn loaded (the state
 * before the turn, without another read).
 */
import type { Metrics } from './metrics.ts';
import { sessionLoaded } from './observe-turn.ts';
import type { OutboxOutcome, RedeemResult, Store, VersionedDoc } from './store/types.ts';

type Method = (...args: unknown[]) => unknown;

/** Wraps `store`; the result is a Store of the same type and closes the same store. */
export function observeStore<S extends VersionedDoc>(store: Store<S>, metrics: Metrics): Store<S> {
  const areas = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value === 'function') return (value as Method).bind(target);
      if (typeof value !== 'object' || value === null || typeof prop !== 'string') return value;
      if (!areas.has(prop)) areas.set(prop, observeArea(prop, value as object, metrics));
      return areas.get(prop);
    },
  });
}

function observeArea(area: string, target: object, metrics: Metrics): object {
  const methods = new Map<PropertyKey, Method>();
  const after = (operation: string, args: unknown[], result: unknown): void => {
    if (area === 'sessions' && (operation === 'get' || operation === 'findByConversation') && result)
      sessionLoaded(result as VersionedDoc);
    else if (area === 'pairing' && operation === 'redeem' && !(result as RedeemResult).ok)
      metrics.pairingFailure((result as Extract<RedeemResult, { ok: false }>).reason);
    else if (area === 'outbox' && operation === 'settle') {
      const status = (args[1] as OutboxOutcome).status;
      metrics.outboxAttempt(status === 'pending' ? 'retry' : status);
    }
  };
  return new Proxy(target, {
    get(inner, prop) {
      const value = Reflect.get(inner, prop, inner) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let method = methods.get(prop);
      if (!method) {
        const fn = value as Method;
        method = (...args: unknown[]) => {
          const failed = (error: unknown) => {
            metrics.storeError(area, prop);
            throw error;
          };
          let out: unknown;
          try {
            out = fn.apply(inner, args);
          } catch (error) {
            failed(error);
          }
          if (!(out instanceof Promise)) return out;
          return out.then((result) => {
            try {
              after(prop, args, result);
            } catch {
              // An unexpected result shape costs a sample, never the store call.
            }
            return result;
          }, failed);
        };
        methods.set(prop, method);
      }
      return method;
    },
  });
}

/**
 * Per-key serial execution: tasks with the same key run one after another, in call order;
 * different keys run concurrently. Used to keep one conversation's writes (append, push) and
 * its bot turns in order without blocking other conversations.
 */
export interface Serial {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
}

export function createSerial(): Serial {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      // Tails never reject (see `settled`), so the next task always runs.
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(task);
      const settled = next.catch(() => undefined);
      tails.set(key, settled);
      // Forget the key once nothing else queued behind this task, so the map does not grow.
      void settled.then(() => {
        if (tails.get(key) === settled) tails.delete(key);
      });
      return next;
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
  };
}

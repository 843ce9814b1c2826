interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

const chains = new Map<string, Promise<void>>();

/** Runs `fn` holding the store's lock, `simplesync:<name>`: one sync or live message of a store at a time. */
export function withStoreLock<T>(store: { readonly name: string }, fn: () => Promise<T>): Promise<T> {
  return withLock(`simplesync:${store.name}`, fn);
}

/**
 * Runs `fn` holding the lock `name`: across tabs and workers with Web Locks where the platform
 * has them (browsers), else within this JavaScript realm (Node, older browsers), where a
 * store can only be shared in-process anyway.
 */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  if (locks !== undefined && typeof locks.request === "function") return locks.request(name, fn);
  const previous = chains.get(name) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  chains.set(name, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (chains.get(name) === tail) chains.delete(name);
  }
}

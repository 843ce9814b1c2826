// Compiled (not run) by `npm test`: the public API as apps use it, by the names the docs give.
import { IndexedDbStore, MemoryStore, SyncClient, SyncError, jsonMerge } from "simplesync";
import type { Event, Rejection, SyncResult, SyncStatus, Watch, Reducer, WireEvent, SyncRequest, SyncAnswer, PullAnswer, PushResult, Problem, TokenRequest, TokenAnswer, StreamHello, StreamEnd } from "simplesync";

export async function usage(): Promise<void> {
  const store = Math.random() > 0.5 ? await IndexedDbStore.open("todo-app") : new MemoryStore();
  const client = await SyncClient.open({ server: "http://127.0.0.1:8080", store, allowInsecureHttp: false, fetch: globalThis.fetch, now: Date.now });
  const named = await SyncClient.open({ server: "https://sync.example.com", store, appName: "todo-web", appVersion: "1.2.0" });
  const device: string = named.deviceId;
  const flags: [boolean, string | null, string | null] = [client.loggedIn, client.userUuid, client.username];
  await client.login("alice", "pw");
  const ev: Event = await client.record("item", "create", "{}");
  const ts: bigint = ev.timestamp;
  const r: SyncResult = await client.sync();
  const parts: [Event[], Event[], Rejection[], number, boolean] = [r.accepted, r.duplicates, r.rejected, r.pulled, r.epochChanged];
  const all: Event[] = [...(await client.events()), ...(await client.pending())];
  const items: Map<string, { [key: string]: unknown }> = await client.items();
  const merged = await client.items(jsonMerge);
  const count: Reducer<number> = (n = 0) => n + 1;
  const counts: Map<string, number> = await client.items(count);
  const kept: Rejection[] = await client.rejected();
  await client.dismissRejected(kept[0]!.event.uuid);
  const w: Watch = client.watch();
  const w2 = client.watch({ signal: new AbortController().signal });
  w.stop();
  await w2.done;
  const s: SyncStatus = client.status();
  const fields: [number, number | null, Date | null, SyncError | null, boolean, boolean, boolean] = [s.pendingCount, s.oldestPendingAgeMs, s.lastSync, s.lastError, s.syncing, s.watching, s.loggedIn];
  const off: () => void = client.onChange(() => {});
  off();
  try {
    await client.sync();
  } catch (e) {
    if (e instanceof SyncError) {
      const info: [string, number | null, boolean, number | null] = [e.code, e.status, e.isTransient, e.retryAfter];
      void info;
    }
  }
  await client.logout();
  client.close();
  const wire: [WireEvent?, SyncRequest?, SyncAnswer?, PullAnswer?, PushResult?, Problem?, TokenRequest?, TokenAnswer?, StreamHello?, StreamEnd?] = [];
  void [device, flags, ts, parts, all, items, merged, counts, fields, wire];
}

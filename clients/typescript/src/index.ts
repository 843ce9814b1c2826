export { SyncClient } from "./client.js";
export type { SyncClientOptions, SyncResult, SyncStatus, ChangeReason, ChangeListener, Watch } from "./client.js";
export { MemoryStore, MAX_KEPT_REJECTIONS } from "./store.js";
export type { Store, StoreMeta, Change, Position, PendingSummary, LoginPatch } from "./store.js";
export { IndexedDbStore } from "./indexeddb.js";
export type { IndexedDbStoreOptions } from "./indexeddb.js";
export {
  SyncError,
  serverErrorCodes,
  clientErrorCodes,
  pushStatuses,
  rejectionReasons,
  streamEndReasons,
  codeForStatus,
} from "./errors.js";
export type { ErrorCode, ServerErrorCode, ClientErrorCode } from "./errors.js";
export { jsonMerge } from "./reducers.js";
export type { Reducer, JsonObject } from "./reducers.js";
export { compareHistory, MAX_TIMESTAMP } from "./event.js";
export type { Event, Rejection } from "./event.js";
export { parseJson, stringifyJson } from "./json.js";
export type { FetchFunction } from "./transport.js";
export type * from "./wire.js";

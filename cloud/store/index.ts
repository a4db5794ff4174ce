// The relay's storage layer: the Store contract, its implementations, and the
// adapter to the channel layer's Registry.

export * from './types.ts';
export { MemoryStore } from './memory.ts';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions, type SqliteStoreStats } from './sqlite.ts';
export { storeRegistry } from './registry.ts';
export { STORE_KEY_BYTES } from './seal.ts';
export {
  DID_MAX_BYTES, EPOCH_RECORD_MAX_BYTES, FEED_MAX, METADATA_MAX_BYTES, NAME_MAX_BYTES, QUERY_DEFAULT_LIMIT,
  QUERY_MAX_LIMIT, READING_MAX_BYTES, WRAP_MAX_BYTES,
} from './validate.ts';

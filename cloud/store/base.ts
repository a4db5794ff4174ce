// What every Store implementation does alike around its own storage: refusing
// calls after close(), and openEpoch/closeEpoch as one "store this epoch
// record once" operation.

import { StoreError, type AppendResult, type EpochKey } from './types.ts';

export abstract class StoreBase {
  /** Set by close(); every later call rejects STORE_CLOSED. */
  protected closed = false;

  async openEpoch(key: EpochKey, record: Uint8Array): Promise<AppendResult> {
    return this.epochRecord(key, 'open', record);
  }

  async closeEpoch(key: EpochKey, record: Uint8Array): Promise<AppendResult> {
    return this.epochRecord(key, 'close', record);
  }

  /** Stores the epoch's open or close record; 'duplicate' (the first record stays) when it has one. */
  protected abstract epochRecord(key: EpochKey, which: 'open' | 'close', record: Uint8Array): Promise<AppendResult>;

  /** Throws STORE_CLOSED once the store is closed. */
  protected open(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'store is closed');
  }
}

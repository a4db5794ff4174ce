// The relay process: keys from the data dir, the encrypted SQLite store, the
// channel server (UDP + TCP device listeners), the API, and a graceful close.
//
// onData (the channel ACKs a DATA frame only after it resolves, see
// cloud/relay/handle-transport.ts deliver()): parse the record header, store it,
// resolve after the durable commit, then publish it to live subscribers. A
// malformed record is counted and ACKed (dropped): sending it again could never
// help. A store failure rejects, so the record is not ACKed and the device
// sends it again.

import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../api/server.ts';
import { LiveHub } from '../api/live.ts';
import { startChannelServer, type ChannelServer } from '../relay/index.ts';
import { openSqliteStore, storeRegistry, type SqliteStore, type Store } from '../store/index.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import type { RelayConfig } from './config.ts';
import { DATABASE_FILE, loadRelayKeys } from './keys.ts';
import { AppMetrics, renderMetrics } from './metrics.ts';
import { parseRecordHeader } from './records.ts';

export interface RelayApp {
  readonly did: string;
  readonly channel: ChannelServer;
  readonly api: ApiServer;
  readonly store: Store;
  readonly metrics: AppMetrics;
  /** Stop listening, wait for in-flight appends, close the store. Idempotent. */
  close(): Promise<void>;
}

/** Start a relay from a validated config. */
export async function startRelayApp(config: RelayConfig, logger: Logger = silentLogger): Promise<RelayApp> {
  const keys = loadRelayKeys(config.dataDir);
  for (const f of keys.created) logger.info('relay: key generated', { file: f });
  const store: SqliteStore = await openSqliteStore({
    path: join(config.dataDir, DATABASE_FILE), key: keys.storageKey,
    commitDelayMs: config.commitDelayMs, synchronous: config.synchronous,
  });
  keys.storageKey.fill(0);
  for (const did of config.owners) {
    if ((await store.getOwner(did)) === undefined) {
      await store.createOwner({ did, name: '', metadata: {}, createdAt: Date.now() });
      logger.info('relay: owner added', { owner: did });
    }
  }

  const metrics = new AppMetrics();
  const live = new LiveHub(metrics);
  const inflight = new Set<Promise<unknown>>();
  let closing = false;

  async function ingest(device: string, bytes: Uint8Array): Promise<void> {
    const h = parseRecordHeader(bytes);
    if (typeof h === 'string') {
      metrics.recordsRejected++;
      logger.warn('relay: malformed record dropped', { device, why: h });
      return;
    }
    const receivedAt = Date.now();
    const t0 = performance.now();
    const key = { device, epoch: h.epoch };
    let result;
    try {
      result = h.kind === 'reading'
        ? await store.append({ ...key, seq: h.seq, feed: h.feed!, body: bytes, receivedAt })
        : h.kind === 'epoch-open' ? await store.openEpoch(key, bytes) : await store.closeEpoch(key, bytes);
    } catch (e) {
      metrics.storeErrors++;
      logger.error('relay: store append failed', { device, error: String(e) });
      throw e;
    }
    metrics.appendLatency.observe((performance.now() - t0) / 1000);
    metrics.countIngested(h.kind, result);
    if (result === 'stored') live.publish(device, bytes, receivedAt);
  }

  const channel = await startChannelServer({
    staticSecret: keys.network.x25519Secret, admissionKey: keys.admissionKey,
    registry: storeRegistry(store), logger,
    host: config.host, udpPort: config.udpPort, tcpPort: config.tcpPort,
    onData: (device, bytes) => {
      if (closing) return Promise.reject(new Error('relay closing'));
      const p = ingest(device, bytes);
      inflight.add(p);
      const done = (): void => { inflight.delete(p); };
      p.then(done, done);
      return p;
    },
  }).catch(async (e) => { await store.close(); throw e; });
  keys.admissionKey.fill(0);
  keys.network.x25519Secret.fill(0);
  keys.network.seed.fill(0);

  let api: ApiServer;
  try {
    api = await startApiServer({
      store, revoke: (did) => channel.revoke(did),
      relayDid: keys.network.did, udpPort: channel.udpPort, tcpPort: channel.tcpPort,
      publicHost: config.publicHost ?? (config.host === '0.0.0.0' || config.host === '::' ? undefined : config.host),
      claimLifetimeMs: config.claimLifetimeSec * 1000,
      live, metrics, logger, host: config.apiHost, port: config.apiPort,
      ready: () => !closing,
      renderMetrics: () => renderMetrics({
        channel: channel.metrics, app: metrics, storeStats: () => store.stats(),
        activeSessions: () => [...channel.channel.table.sessions()].length,
      }),
    });
  } catch (e) {
    await channel.close();
    await store.close();
    throw e;
  }
  logger.info('relay: listening', {
    did: keys.network.did, host: config.host, udpPort: channel.udpPort, tcpPort: channel.tcpPort,
    apiHost: config.apiHost, apiPort: api.port, dataDir: config.dataDir, owners: config.owners.length,
  });

  let closed: Promise<void> | null = null;
  return {
    did: keys.network.did, channel, api, store, metrics,
    close() {
      closed ??= (async () => {
        closing = true;
        logger.info('relay: shutting down', { inflight: inflight.size });
        // Stop taking device traffic first: nothing new gets ACKed after this.
        await channel.close();
        // Everything ACKed was durable already; finish what is in flight so a
        // retransmission after restart finds it stored (a duplicate, ACKed then).
        await Promise.allSettled([...inflight]);
        await api.close();
        await store.close();
        logger.info('relay: stopped', {});
      })();
      return closed;
    },
  };
}

// The relay under test in a process of its own (forked by bench/ingest.ts), so
// its CPU and memory are its own and the device load generator runs on the
// other core: the real app (startRelayApp) with the shipped store settings
// (SQLite WAL, synchronous=FULL, DEFAULT_CONFIG's group-commit delay), devices
// and API on 127.0.0.1 free ports, data in the directory it is given.
//
// IPC, one request at a time ({ id, op, ... } -> { id, ok, value | error }):
//   start { dataDir, owner }   -> { did, udpPort, tcpPort }
//   claims { n }               -> n claims created in the store: [{ claimId, claimToken }] hex
//   memory                     -> process.memoryUsage() after two full GCs (--expose-gc)
//   stats                      -> store commits/writes, records ingested, channel drops
//   close                      -> app.close(), then the process exits
// The process also exits when its parent goes away (IPC disconnect).

import { DEFAULT_CONFIG, type RelayConfig } from '../cloud/app/config.ts';
import { startRelayApp, type RelayApp } from '../cloud/app/relay.ts';
import { createClaim } from '../cloud/relay/claims.ts';
import { totalDrops } from '../cloud/relay/metrics.ts';

type Request = { id: number; op: string; [k: string]: unknown };

let app: RelayApp | null = null;
let owner = '';
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const gc = (globalThis as { gc?: () => void }).gc;

async function handle(r: Request): Promise<unknown> {
  switch (r.op) {
    case 'start': {
      owner = String(r.owner);
      const config: RelayConfig = {
        ...DEFAULT_CONFIG, // commitDelayMs and synchronous exactly as shipped
        dataDir: String(r.dataDir), owners: [owner], logLevel: 'silent',
        host: '127.0.0.1', udpPort: 0, tcpPort: 0, apiHost: '127.0.0.1', apiPort: 0,
      };
      app = await startRelayApp(config);
      return { did: app.did, udpPort: app.channel.udpPort, tcpPort: app.channel.tcpPort, commitDelayMs: config.commitDelayMs, synchronous: config.synchronous };
    }
    case 'claims': {
      // All at once: the store's group commit makes them a few transactions.
      const claims = Array.from({ length: Number(r.n) }, () => createClaim(owner, Date.now()));
      await Promise.all(claims.map((c) => app!.store.createClaim(c.record)));
      return claims.map((c) => ({ claimId: hex(c.claimId), claimToken: hex(c.claimToken) }));
    }
    case 'memory':
      if (gc === undefined) throw new Error('relay-process: run with --expose-gc');
      gc(); gc();
      return process.memoryUsage();
    case 'stats': {
      const a = app!;
      const s = a.store as unknown as { stats?: () => { commits: number; writes: number } };
      return {
        store: s.stats?.() ?? null,
        ingested: Object.fromEntries(a.metrics.ingested),
        rejected: a.metrics.recordsRejected,
        storeErrors: a.metrics.storeErrors,
        appendSeconds: { sum: a.metrics.appendLatency.sum, count: a.metrics.appendLatency.count },
        drops: totalDrops(a.channel.metrics),
        cookieReplies: a.channel.metrics.handshakes.cookieReplies,
        sessions: [...a.channel.channel.table.sessions()].length,
      };
    }
    case 'close':
      await app?.close();
      app = null;
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`relay-process: unknown op ${r.op}`);
  }
}

process.on('message', (r: Request) => {
  handle(r).then(
    (value) => process.send!({ id: r.id, ok: true, value }),
    (e: unknown) => process.send!({ id: r.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.on('disconnect', () => {
  void (app?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
process.send!({ id: 0, ok: true, value: 'ready' });

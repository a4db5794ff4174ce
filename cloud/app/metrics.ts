// The relay's metrics in the Prometheus text exposition format (version 0.0.4):
// channel counters (cloud/relay metrics), store commit latency as the relay sees
// it (append call to durable commit), records ingested, API and live feeds.

import { DROP_REASONS, type ChannelMetrics } from '../relay/metrics.ts';

/** Upper bounds of the store latency histogram, seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]) this.counts[i]++;
    this.sum += seconds;
    this.count++;
  }
}

/** Counters the relay app keeps itself. */
export class AppMetrics {
  /** Records stored / duplicates, by kind. */
  readonly ingested = new Map<string, number>();
  /** Records refused as malformed (ACKed and dropped: a retry could not help). */
  recordsRejected = 0;
  /** Appends that failed (not ACKed: the device retries). */
  storeErrors = 0;
  readonly appendLatency = new Histogram();
  readonly apiRequests = new Map<string, number>();
  liveSubscribers = 0;
  liveMessages = 0;

  countIngested(kind: string, result: string): void {
    const k = `kind="${kind}",result="${result}"`;
    this.ingested.set(k, (this.ingested.get(k) ?? 0) + 1);
  }

  countRequest(route: string, status: number): void {
    const k = `route="${route}",status="${status}"`;
    this.apiRequests.set(k, (this.apiRequests.get(k) ?? 0) + 1);
  }
}

export interface MetricsSources {
  channel: ChannelMetrics;
  app: AppMetrics;
  /** Store writer counters when the store has them (SQLite). */
  storeStats?: () => { commits: number; writes: number };
  activeSessions?: () => number;
}

/** Render everything as Prometheus text. */
export function renderMetrics(s: MetricsSources): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, rows: [string, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of rows) out.push(`${name}${labels === '' ? '' : `{${labels}}`} ${v}`);
  };
  const c = s.channel;
  metric('sealink_channel_drops_total', 'counter', 'Device messages dropped, by reason (protocol §8).',
    DROP_REASONS.map((r) => [`reason="${r}"`, c.drops[r]]));
  metric('sealink_channel_dh_operations_total', 'counter', 'X25519 operations by the channel layer.', [['', c.dhOperations]]);
  metric('sealink_channel_handshakes_total', 'counter', 'Handshake events, by type.',
    Object.entries(c.handshakes).map(([k, v]) => [`type="${k}"`, v]));
  metric('sealink_channel_records_in_total', 'counter', 'Authenticated transport records received.', [['', c.recordsIn]]);
  metric('sealink_channel_records_out_total', 'counter', 'Transport records sent.', [['', c.recordsOut]]);
  metric('sealink_channel_data_delivered_total', 'counter', 'DATA frames delivered to the relay.', [['', c.dataDelivered]]);
  metric('sealink_channel_acks_sent_total', 'counter', 'ACK frames sent.', [['', c.acksSent]]);
  metric('sealink_channel_rekeys_requested_total', 'counter', 'REKEY frames sent.', [['', c.rekeysRequested]]);
  metric('sealink_channel_sessions_expired_total', 'counter', 'Sessions expired.', [['', c.sessionsExpired]]);
  if (s.activeSessions !== undefined) metric('sealink_channel_sessions', 'gauge', 'Live sessions.', [['', s.activeSessions()]]);
  const a = s.app;
  metric('sealink_records_ingested_total', 'counter', 'Sealed records appended, by kind and result (stored|duplicate).', [...a.ingested]);
  metric('sealink_records_rejected_total', 'counter', 'Malformed records refused.', [['', a.recordsRejected]]);
  metric('sealink_store_errors_total', 'counter', 'Appends that failed (not acknowledged).', [['', a.storeErrors]]);
  const h = a.appendLatency;
  out.push('# HELP sealink_store_commit_seconds Append to durable commit, seconds.', '# TYPE sealink_store_commit_seconds histogram');
  LATENCY_BUCKETS.forEach((b, i) => out.push(`sealink_store_commit_seconds_bucket{le="${b}"} ${h.counts[i]}`));
  out.push(`sealink_store_commit_seconds_bucket{le="+Inf"} ${h.count}`, `sealink_store_commit_seconds_sum ${h.sum}`, `sealink_store_commit_seconds_count ${h.count}`);
  if (s.storeStats !== undefined) {
    const st = s.storeStats();
    metric('sealink_store_commits_total', 'counter', 'Store transactions committed.', [['', st.commits]]);
    metric('sealink_store_writes_total', 'counter', 'Store writes committed.', [['', st.writes]]);
  }
  metric('sealink_api_requests_total', 'counter', 'API requests, by route and status.', [...a.apiRequests]);
  metric('sealink_live_subscribers', 'gauge', 'Open live WebSocket feeds.', [['', a.liveSubscribers]]);
  metric('sealink_live_messages_total', 'counter', 'Records pushed to live feeds.', [['', a.liveMessages]]);
  return `${out.join('\n')}\n`;
}

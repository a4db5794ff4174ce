// The relay's channel layer (protocol v1): listeners, handshake responders,
// sessions, rotation, revocation, and the registry interface it needs.

export { startChannelServer, type ChannelServer, type ChannelServerOptions } from './server.ts';
export { Channel, type ChannelOptions, type DataHandler } from './channel.ts';
export type { Endpoint } from './endpoint.ts';
export { DEFAULT_LIMITS, type ChannelLimits } from './limits.ts';
export { DROP_REASONS, newMetrics, totalDrops, type ChannelMetrics, type DropReason } from './metrics.ts';
export type { ClaimRecord, DeviceRecord, Enrollment, MaybePromise, Registry } from './registry.ts';
export { MemoryRegistry } from './memory-registry.ts';
export { createClaim, type ClaimBundle, type NewClaim } from './claims.ts';

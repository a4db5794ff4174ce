// Device side of sealink protocol v1 in TypeScript: the reference initiator for
// relay tests and interop runs against the WASM sensor core.

export { DeviceClient, type DeviceClientOptions, type DeviceStats, type EnrollBundle } from './client.ts';
export type { DeviceCredentials } from './enroll.ts';
export { DeviceError, type DeviceErrorCode } from './errors.ts';
export { DEFAULT_DEVICE_LIMITS, type DeviceLimits } from './limits.ts';
export { openTcpLink, openUdpLink, type Link, type LinkOptions, type WireCount } from './link.ts';

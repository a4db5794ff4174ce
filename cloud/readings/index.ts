// Sealed readings v1 (docs/readings.md): record codecs, the device-side
// reference sealer and the owner's verifier. Browser-safe (@noble only).

export * from './records.ts';
export * from './sealer.ts';
export * from './verify.ts';

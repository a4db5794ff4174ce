// sealink wire protocol v1 (docs/protocol.md): constants, message and frame
// codecs, macs and cookies, replay window, TCP framing, key derivations.

export * from './constants.ts';
export * from './bytes.ts';
export * from './messages.ts';
export * from './macs.ts';
export * from './frames.ts';
export * from './replay-window.ts';
export * from './tcp-framing.ts';
export * from './keys.ts';

// The crypto part of the core on its own: the crypto_* entry points of the
// full core and nothing of the device protocol. The build compiles it to
// build/sealink-core.crypto.wasm only to hold the crypto to its own budgets
// (scripts/checks.ts CRYPTO_BUDGETS: 40 KB of module, 16 KiB of linear
// memory); boards always run the full core (firmware/index.ts).

export { __heap_base, __data_end };
export * from "./crypto-api";

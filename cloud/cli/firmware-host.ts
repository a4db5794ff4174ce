// The host board's build: the release core through wasm2c and gcc
// (scripts/host-build.ts) with the POSIX board files of boards/host and the
// board-independent C of boards/common.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostBuild, type HostBuildResult } from '../../scripts/host-build.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The host's HAL (hal/c/sealink_hal.h) and the shared C it needs: no core, so they build and test alone. */
export const HOST_HAL_SOURCES = [
  'boards/host/board_clock.c',
  'boards/host/board_rng.c',
  'boards/host/board_storage.c',
  'boards/host/board_net.c',
  'boards/host/board_log.c',
  'boards/common/board_accel_none.c',
  'boards/common/sealink_key.c',
  'boards/common/sealink_claim.c',
];

/**
 * Board files of the host build, relative to the repository: the HAL, the
 * loop, and the shared console over board_runner.c (sealink_runner.h on the
 * wasm2c core instead of WAMR).
 */
export const HOST_SOURCES = [
  'boards/host/main.c',
  'boards/host/board_runner.c',
  ...HOST_HAL_SOURCES,
  'boards/common/sealink_console.c',
  'boards/common/sealink_did.c',
];

/** The core's entry points the host main loop calls (hal/contract.json exports). */
export const PROTOCOL_EXPORTS = [
  'fw_init', 'fw_step', 'fw_rx_ptr', 'fw_rx_bytes', 'fw_on_packet', 'fw_enroll', 'fw_send', 'fw_reading', 'fw_status',
  'fw_public_key',
];

export interface HostBoardOptions {
  /** Release module (default build/sealink-core.wasm). */
  wasm?: string;
  /** Where the generated C, objects and the binary go (default build/boards/host). */
  outDir?: string;
  /** Extra compiler flags after the defaults. */
  cflags?: string[];
}

/** Builds `<outDir>/sealink-host`. Throws with the reason (missing package, compile error). */
export function buildHostBoard(opts: HostBoardOptions = {}): HostBuildResult {
  const outDir = opts.outDir ?? join(ROOT, 'build/boards/host');
  return hostBuild({
    wasm: opts.wasm,
    outDir,
    exe: join(outDir, 'sealink-host'),
    sources: HOST_SOURCES,
    includeDirs: [join(ROOT, 'boards/common'), join(ROOT, 'boards/host')],
    cflags: ['-O2', '-g', '-Wall', '-Wextra', '-Werror=implicit-function-declaration', ...(opts.cflags ?? [])],
  });
}

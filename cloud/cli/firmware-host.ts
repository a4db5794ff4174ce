// The host board's build: the release core through wasm2c and gcc
// (scripts/host-build.ts) with the POSIX board files of boards/host and the
// board-independent C of boards/common.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostBuild, type HostBuildResult } from '../../scripts/host-build.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Board files of the host build, relative to the repository. */
export const HOST_SOURCES = [
  'boards/host/main.c',
  'boards/host/board_clock.c',
  'boards/host/board_rng.c',
  'boards/host/board_storage.c',
  'boards/host/board_net.c',
  'boards/host/board_log.c',
  'boards/common/board_accel_none.c',
  'boards/common/sealink_key.c',
  'boards/common/sealink_claim.c',
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

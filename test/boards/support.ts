// Debian packages the board tests need whose presence is a file or a command
// that test/support/ensure-debian-tools.ts does not map (it checks a command
// named after the package). Installs through it, then checks the probe here.

import { existsSync } from 'node:fs';
import { ensureDebianPackages, hasCommand } from '../support/ensure-debian-tools.ts';

/** Makes sure `pkg` is installed, judged by `present()`; throws naming the package otherwise. */
export function ensureDebianPackage(pkg: string, present: () => boolean): void {
  if (present()) return;
  try {
    ensureDebianPackages([pkg]);
  } catch (e) {
    // ensureDebianPackages re-checks a command named `pkg`, which these
    // packages do not have: trust the probe instead of its verdict.
    if (!present()) throw e;
  }
  if (!present()) throw new Error(`${pkg} is not installed: apt-get install ${pkg}`);
}

export const ensureArmGcc = () => ensureDebianPackage('gcc-arm-none-eabi', () => hasCommand('arm-none-eabi-gcc') && hasCommand('arm-none-eabi-size'));
export const ensureMbedtls = () => ensureDebianPackage('libmbedtls-dev', () => existsSync('/usr/include/mbedtls/chachapoly.h'));

// The boards `npx sealink firmware` knows: where each project lives, what gets
// staged next to it, how AOT and flashing work, and what to install when a
// vendor tool is missing.

export type BoardKind = 'host' | 'esp-idf' | 'zephyr';

export interface Board {
  name: string;
  soc: string;
  kind: BoardKind;
  /** The project in the repository (boards/<name>). */
  project: string;
  /** wamrc arguments before `-o out in` (AOT); none for the host. */
  wamrc?: string[];
  /** Configured RAM the board gives WAMR (KiB), as in its defaults. */
  wamrPoolKiB?: number;
  wamrStackKiB?: number;
  /** The vendor tool that flashes, and how to install it when it is missing. */
  flashTool?: string;
  install?: string[];
  /** Commands after staging, in the staged project's directory ({port} is --port). */
  buildSteps?: string[];
  flashSteps?: string[];
}

/** Board-independent C staged into <project>/sealink for the WAMR boards. */
export const WAMR_COMMON_C = [
  'boards/common/sealink_runner.c', 'boards/common/sealink_runner.h', 'boards/common/wamr_runtime_shim.h',
  'boards/common/sealink_console.c', 'boards/common/sealink_console.h',
  'boards/common/sealink_did.c', 'boards/common/sealink_did.h',
  'boards/common/sealink_key.c', 'boards/common/sealink_key.h',
  'boards/common/sealink_claim.c', 'boards/common/sealink_claim.h',
  'boards/common/sealink_net_bsd.c', 'boards/common/sealink_net_bsd.h',
  'boards/common/sealink_core_image.h',
  'hal/c/sealink_hal.h', 'hal/c/sealink_wamr_natives.c', 'hal/c/wamr_export_shim.h',
];

export const BOARDS: Board[] = [
  {
    name: 'host', soc: 'x86-64 / arm64 Linux', kind: 'host', project: 'boards/host',
  },
  {
    name: 'esp32-devkitc', soc: 'ESP32 (Xtensa LX6, 240 MHz, 520 KB SRAM)', kind: 'esp-idf', project: 'boards/esp32-devkitc',
    wamrc: ['--target=xtensa', '--size-level=3'],
    wamrStackKiB: 16,
    flashTool: 'idf.py',
    install: [
      'ESP-IDF v5.3 (https://docs.espressif.com/projects/esp-idf/en/v5.3.1/esp32/get-started/linux-macos-setup.html):',
      '  sudo apt-get install git wget flex bison gperf python3 python3-venv cmake ninja-build ccache libffi-dev libssl-dev dfu-util libusb-1.0-0',
      '  git clone -b v5.3.1 --recursive https://github.com/espressif/esp-idf.git ~/esp/esp-idf',
      '  ~/esp/esp-idf/install.sh esp32 && . ~/esp/esp-idf/export.sh',
    ],
    buildSteps: ['idf.py set-target esp32', 'idf.py menuconfig   # sealink -> Wi-Fi SSID and password', 'idf.py build'],
    flashSteps: ['idf.py -p {port} flash monitor'],
  },
  {
    name: 'nrf52840dk', soc: 'nRF52840 (Cortex-M4F, 64 MHz, 256 KB RAM, CC310)', kind: 'zephyr', project: 'boards/nrf52840dk',
    wamrc: ['--target=thumbv7em', '--target-abi=eabi', '--cpu=cortex-m4', '--size-level=3'],
    wamrPoolKiB: 128, wamrStackKiB: 8,
    flashTool: 'west',
    install: [
      'nRF Connect SDK 2.8 with west (https://docs.nordicsemi.com/bundle/ncs-2.8.0/page/nrf/installation/install_ncs.html):',
      '  pip3 install --user west',
      '  nrfutil (with the "device" and "toolchain-manager" commands) and SEGGER J-Link for flashing',
      '  then, in the directory that holds the staged project: west init -l <project> && west update',
    ],
    buildSteps: ['west build -b nrf52840dk/nrf52840 .'],
    flashSteps: ['west flash --dev-id {port}   # {port}: the J-Link serial number printed on the DK (nrfutil device list)'],
  },
];

export function boardByName(name: string): Board {
  const b = BOARDS.find((x) => x.name === name);
  if (!b) throw new CliError(`unknown board "${name}": one of ${BOARDS.map((x) => x.name).join(', ')}`);
  return b;
}

/** An error the CLI prints as is (no stack): wrong arguments, a missing tool. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

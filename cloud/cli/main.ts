// `sealink <command> ...`: one table of subcommands, each a module loaded on
// demand and resolving with the exit code. Add a command by adding a row.

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

export const COMMANDS: Record<string, Command> = {
  demo: {
    summary: 'the main job in one command: relay, owner, simulated sensors, decrypted readings',
    run: async (argv) => (await import('./demo.ts')).demoCommand(argv),
  },
  relay: {
    summary: 'run a relay on embedded defaults',
    run: async (argv) => (await import('./relay.ts')).relayCommand(argv),
  },
  owner: {
    summary: "create or show the owner's key (init | show)",
    run: async (argv) => (await import('./owner.ts')).ownerCommand(argv),
  },
  claim: {
    summary: 'ask a relay for a one-time claim for a new device (create)',
    run: async (argv) => (await import('./claim.ts')).claimCommand(argv),
  },
  devices: {
    summary: "list or revoke the owner's devices (list | revoke <did>)",
    run: async (argv) => (await import('./devices.ts')).devicesCommand(argv),
  },
  firmware: {
    summary: 'build, flash and measure the sensor firmware (boards: host, esp32-devkitc, nrf52840dk)',
    run: async (argv) => {
      await (await import('./firmware.ts')).firmwareCommand(argv);
      return typeof process.exitCode === 'number' ? process.exitCode : 0;
    },
  },
};

function usage(): string {
  return ['usage: sealink <command> [options]', '', ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`),
    '', 'sealink <command> --help for its options'].join('\n');
}

/** Runs `sealink argv...`; resolves with the exit code. Errors named CliError print without a stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`sealink: unknown command "${name}"\n${usage()}`);
    return 1;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof Error && e.name === 'CliError') {
      console.error(`sealink ${name}: ${e.message}`);
      return (e as Error & { exitCode?: number }).exitCode ?? 1;
    }
    throw e;
  }
}

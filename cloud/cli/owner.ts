// `sealink owner init|show`: the owner's Ed25519 key, on the owner's machine
// only (0600 file; --key <file> or $SEALINK_OWNER_KEY, default
// ~/.config/sealink/owner.json). Prints the did:key the relay operator adds to
// the relay's `owners`.

import { existsSync } from 'node:fs';
import { createOwnerKey, defaultOwnerKeyPath, loadOwnerKey } from '../app/owner-key.ts';
import { CliError, takeFlags } from './claim.ts';

const HELP = `usage: sealink owner init [--key <file>]   create the owner key (refuses to overwrite)
       sealink owner show [--key <file>]   print the owner's did:key
`;

export async function ownerCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') { process.stdout.write(HELP); return sub === undefined ? 2 : 0; }
  const flags = takeFlags(rest, ['key']);
  const path = flags.get('key') ?? defaultOwnerKeyPath();
  if (sub === 'init') {
    if (existsSync(path)) throw new CliError(`${path} exists; not overwriting an owner key`);
    const id = createOwnerKey(path);
    process.stdout.write(`${id.did}\n`);
    process.stderr.write(`owner key written to ${path} (mode 0600). Keep it private; give the did:key above to the relay operator.\n`);
    return 0;
  }
  if (sub === 'show') {
    process.stdout.write(`${loadOwnerKey(path).did}\n`);
    return 0;
  }
  throw new CliError(`unknown subcommand "owner ${sub}"\n${HELP}`);
}

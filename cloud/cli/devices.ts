// `sealink devices list|revoke <did>` against the relay API as the owner.

import { CliError, ownerArgs, ownerRequest } from './claim.ts';

const HELP = `usage: sealink devices list --relay <url> [--key <owner key file>]
       sealink devices revoke <did> --relay <url> [--key <owner key file>]
`;

export async function devicesCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') {
    const { relay, key } = ownerArgs(rest);
    const list = await ownerRequest(relay, key, 'GET', '/v1/devices') as { did: string; name: string; enrolledAt: number; revoked: boolean }[];
    if (list.length === 0) process.stdout.write('no devices\n');
    for (const d of list) process.stdout.write(`${d.did}  ${new Date(d.enrolledAt).toISOString()}  ${d.revoked ? 'REVOKED' : 'active'}${d.name === '' ? '' : `  ${d.name}`}\n`);
    return 0;
  }
  if (sub === 'revoke') {
    const [did, ...more] = rest;
    if (did === undefined || did.startsWith('--')) throw new CliError(`devices revoke: missing <did>\n${HELP}`);
    const { relay, key } = ownerArgs(more);
    await ownerRequest(relay, key, 'POST', `/v1/devices/${encodeURIComponent(did)}/revoke`);
    process.stdout.write(`revoked ${did}\n`);
    return 0;
  }
  process.stdout.write(HELP);
  return sub === '--help' || sub === '-h' ? 0 : 2;
}

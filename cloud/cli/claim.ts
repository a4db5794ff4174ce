// `sealink claim create --relay <url>`: ask the relay for a one-time claim
// (POST /v1/claims, authenticated with the owner's key) and print the bundle as
// text and as one QR-ready line. Also the small helpers the owner commands share.
//
// The bundle tells the device whom to seal its readings to (ownerDid, reader
// 0 of docs/readings.md). That key is the LOCAL owner key this command runs
// with, written into the bundle here, never the relay's word: the relay is not
// trusted with confidentiality, and a key of its choosing would let it read
// every reading. A relay answer naming another owner is refused outright.

import { decodeClaimBundle, encodeClaimBundle } from '../app/claim-bundle.ts';
import { defaultOwnerKeyPath, loadOwnerKey, signApiToken } from '../app/owner-key.ts';

/** A usage or remote error: printed without a stack, exit 1. */
export class CliError extends Error {
  constructor(message: string) { super(message); this.name = 'CliError'; }
}

/** `--name value` / `--name=value` pairs of `allowed`; throws CliError for anything else. */
export function takeFlags(argv: readonly string[], allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m === null || !allowed.includes(m[1])) throw new CliError(`unexpected argument ${JSON.stringify(a)} (allowed: ${allowed.map((x) => `--${x}`).join(' ')})`);
    let v = m[2];
    if (v === undefined) {
      v = argv[++i];
      if (v === undefined) throw new CliError(`--${m[1]}: missing value`);
    }
    out.set(m[1], v);
  }
  return out;
}

/** Call the relay API as the owner whose key is at `keyPath`. */
export async function ownerRequest(relay: string, keyPath: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let base: URL;
  try { base = new URL(relay); } catch { throw new CliError(`--relay: not a URL: ${relay}`); }
  const id = loadOwnerKey(keyPath);
  const token = await signApiToken(id);
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try { json = JSON.parse(text); } catch { json = text; }
  if (!res.ok) {
    const code = (json as { error?: { code?: string } })?.error?.code ?? res.status;
    throw new CliError(`relay answered ${res.status} ${code}${res.status === 401 ? ' (is your did:key in the relay\'s owners?)' : ''}`);
  }
  return json;
}

function common(argv: readonly string[], extra: string[] = []): { relay: string; key: string; flags: Map<string, string> } {
  const flags = takeFlags(argv, ['relay', 'key', ...extra]);
  const relay = flags.get('relay') ?? process.env.SEALINK_RELAY;
  if (relay === undefined) throw new CliError('--relay <url> (or SEALINK_RELAY) is required');
  return { relay, key: flags.get('key') ?? defaultOwnerKeyPath(), flags };
}
export { common as ownerArgs };

const HELP = `usage: sealink claim create --relay <url> [--key <owner key file>] [--lifetime-sec <n>]
Prints the claim bundle (SECRET until used or expired) for the device: text, then one QR-ready line.
`;

export async function claimCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') { process.stdout.write(HELP); return sub === '--help' || sub === '-h' ? 0 : 2; }
  const { relay, key, flags } = common(rest, ['lifetime-sec']);
  const lt = flags.get('lifetime-sec');
  const body = lt === undefined ? {} : { lifetimeSec: Number(lt) };
  const r = await ownerRequest(relay, key, 'POST', '/v1/claims', body) as {
    bundle: string; expiresAt: number; claimId: string;
  };
  const relayBundle = decodeClaimBundle(r.bundle); // the relay's answer must itself be a valid bundle
  const owner = loadOwnerKey(key).did;
  if (relayBundle.ownerDid !== owner) {
    relayBundle.claimToken.fill(0);
    throw new CliError(`the relay's claim bundle names another owner (${relayBundle.ownerDid}, not ${owner}): refusing it`);
  }
  const b = { ...relayBundle, ownerDid: owner };
  const bundle = encodeClaimBundle(b);
  b.claimToken.fill(0);
  process.stdout.write([
    `relay:      ${b.relayDid}`,
    `host:       ${b.host}  udp ${b.udpPort ?? '-'}  tcp ${b.tcpPort ?? '-'}`,
    `owner:      ${owner}  (readings are sealed to this key)`,
    `claim id:   ${r.claimId}`,
    `expires:    ${new Date(r.expiresAt).toISOString()}`,
    `bundle (give it to the device only; QR-ready):`,
    bundle,
    '',
  ].join('\n'));
  return 0;
}

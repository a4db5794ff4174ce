// Configuration precedence and validation, first-run key files, claim bundles.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, DEFAULT_CONFIG, parseRelayArgs, resolveConfig } from '../../cloud/app/config.ts';
import { KeyFileError, loadRelayKeys, ADMISSION_KEY_FILE, NETWORK_KEY_FILE, STORAGE_KEY_FILE } from '../../cloud/app/keys.ts';
import { ClaimBundleError, decodeClaimBundle, encodeClaimBundle } from '../../cloud/app/claim-bundle.ts';
import { createOwnerKey, loadOwnerKey } from '../../cloud/app/owner-key.ts';
import { newIdentity, tempDir } from './support.ts';
import { didFromEd25519 } from '../../cloud/keys/did.ts';

const resolve = (argv: string[], env: Record<string, string> = {}) => resolveConfig(parseRelayArgs(argv), env);

function configError(fn: () => unknown): ConfigError {
  try { fn(); } catch (e) { if (e instanceof ConfigError) return e; throw e; }
  throw new Error('expected a ConfigError');
}

test('defaults need no setup', () => {
  assert.equal(resolve([]), { ...DEFAULT_CONFIG });
});

test('precedence: flags > env > file > defaults', () => {
  const tmp = tempDir('cfg');
  try {
    const file = join(tmp.dir, 'sealink.json');
    const o1 = newIdentity().did;
    const o2 = newIdentity().did;
    writeFileSync(file, JSON.stringify({ udpPort: 1000, tcpPort: 1001, apiPort: 1002, logLevel: 'debug', owners: [o1] }));
    const env = { SEALINK_CONFIG: file, SEALINK_TCP_PORT: '2001', SEALINK_API_PORT: '2002', SEALINK_OWNERS: `${o1},${o2}` };
    const c = resolve(['--api-port', '3002', '--data-dir=/tmp/x'], env);
    assert.is(c.udpPort, 1000, 'file');
    assert.is(c.tcpPort, 2001, 'env over file');
    assert.is(c.apiPort, 3002, 'flag over env');
    assert.is(c.logLevel, 'debug');
    assert.is(c.dataDir, '/tmp/x');
    assert.equal(c.owners, [o1, o2]);
    assert.equal(resolve(['--config', file, '--owner', o2]).owners, [o2], '--config flag; --owner replaces');
  } finally {
    tmp.remove();
  }
});

test('validation errors name the field and the source; nothing is created', () => {
  const tmp = tempDir('cfgbad');
  try {
    let e = configError(() => resolve([], { SEALINK_UDP_PORT: 'abc' }));
    assert.is(e.field, 'udpPort');
    assert.match(e.message, /udpPort \(from env SEALINK_UDP_PORT\)/);
    e = configError(() => resolve(['--api-port', '70000']));
    assert.is(e.field, 'apiPort');
    assert.match(e.message, /flag --api-port/);
    e = configError(() => resolve(['--owner', 'did:web:example.com']));
    assert.is(e.field, 'owners');
    e = configError(() => resolve(['--log-level', 'loud']));
    assert.is(e.field, 'logLevel');
    e = configError(() => resolve(['--bogus', '1']));
    assert.match(e.message, /unknown flag --bogus/);
    e = configError(() => resolve(['--host', 'not a host']));
    assert.is(e.field, 'host');
    const file = join(tmp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ udpPort: '7410', dataDir: join(tmp.dir, 'data') }));
    e = configError(() => resolve(['--config', file]));
    assert.is(e.field, 'udpPort', 'a file value must have the right JSON type');
    assert.match(e.message, /config file/);
    writeFileSync(file, JSON.stringify({ udpport: 1 }));
    assert.match(configError(() => resolve(['--config', file])).message, /unknown key/);
    writeFileSync(file, '{');
    assert.is(configError(() => resolve(['--config', file])).field, 'config');
    assert.is(configError(() => resolve(['--config', join(tmp.dir, 'missing.json')])).field, 'config');
    assert.not.ok(existsSync(join(tmp.dir, 'data')), 'no state change');
  } finally {
    tmp.remove();
  }
});

test('first run generates the key files 0600 in a 0700 dir; later runs reuse them', () => {
  const tmp = tempDir('keys');
  try {
    const dir = join(tmp.dir, 'data');
    const k1 = loadRelayKeys(dir);
    assert.is(k1.created.length, 3);
    assert.is(statSync(dir).mode & 0o777, 0o700);
    for (const f of [NETWORK_KEY_FILE, ADMISSION_KEY_FILE, STORAGE_KEY_FILE]) assert.is(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    const k2 = loadRelayKeys(dir);
    assert.is(k2.created.length, 0);
    assert.is(k2.network.did, k1.network.did);
    assert.equal(k2.storageKey, k1.storageKey);
    chmodSync(join(dir, STORAGE_KEY_FILE), 0o644);
    try { loadRelayKeys(dir); assert.unreachable(); } catch (e) { assert.instance(e, KeyFileError); assert.is((e as KeyFileError).code, 'KEY_FILE_PERMISSIONS'); }
    assert.equal(readdirSync(dir).sort(), [ADMISSION_KEY_FILE, NETWORK_KEY_FILE, STORAGE_KEY_FILE].sort());
  } finally {
    tmp.remove();
  }
});

test('owner key file: 0600, refuses to overwrite, loads back', () => {
  const tmp = tempDir('owner');
  try {
    const path = join(tmp.dir, 'sub', 'owner.json');
    const id = createOwnerKey(path);
    assert.is(statSync(path).mode & 0o777, 0o600);
    assert.is(loadOwnerKey(path).did, id.did);
    assert.throws(() => createOwnerKey(path));
  } finally {
    tmp.remove();
  }
});

test('claim bundle: round trip and strict decoding', () => {
  const relay = newIdentity();
  const owner = newIdentity();
  const b = {
    relayDid: relay.did, host: 'relay.example.com', udpPort: 7410, tcpPort: 7411,
    claimId: new Uint8Array(randomBytes(8)), claimToken: new Uint8Array(randomBytes(16)), ownerDid: owner.did,
  };
  const s = encodeClaimBundle(b);
  assert.match(s, /^sealink1:[A-Za-z0-9_-]+$/);
  assert.equal(decodeClaimBundle(s), b);
  assert.equal(decodeClaimBundle(encodeClaimBundle({ ...b, host: '10.0.0.2', tcpPort: undefined })).tcpPort, undefined);
  const bad = [
    s.replace('sealink1:', 'sealink2:'), `${s}A`, s.slice(0, -2), `${s}=`, s.replace(/.$/, '!'), 'sealink1:',
  ];
  for (const x of bad) assert.throws(() => decodeClaimBundle(x), (e: unknown) => e instanceof ClaimBundleError, x);
  assert.throws(() => encodeClaimBundle({ ...b, host: 'bad host' }));
  assert.throws(() => encodeClaimBundle({ ...b, udpPort: undefined, tcpPort: undefined }));
  assert.throws(() => encodeClaimBundle({ ...b, claimToken: new Uint8Array(15) }));
  // The owner key is the bundle's last 32 bytes (docs/protocol.md §3).
  const raw = Buffer.from(s.slice('sealink1:'.length), 'base64url');
  assert.is(raw.length, 2 + 'relay.example.com'.length + 4 + 32 + 8 + 16 + 32);
  assert.equal(new Uint8Array(raw.subarray(raw.length - 32)), owner.ed25519PublicKey);
  // No owner, or an owner key the device would refuse (small order: the identity point).
  const identityPoint = new Uint8Array(32); identityPoint[0] = 1;
  const { ownerDid: _omit, ...noOwner } = b;
  assert.throws(() => encodeClaimBundle(noOwner as typeof b), TypeError);
  assert.throws(() => encodeClaimBundle({ ...b, ownerDid: didFromEd25519(identityPoint) }), RangeError);
  raw.set(identityPoint, raw.length - 32);
  assert.throws(() => decodeClaimBundle(`sealink1:${raw.toString('base64url')}`), (e: unknown) => e instanceof ClaimBundleError);
});

test.run();

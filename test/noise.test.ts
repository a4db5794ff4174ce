// Noise (cloud/noise) against the cacophony vectors (shared/vectors/cacophony):
// every handshake and transport message and the handshake hash, for the four
// protocols sealink uses, both roles.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HandshakeState, keyPairFromSecret, protocolName, type PatternName } from '../cloud/noise/index.ts';
import type { CipherState } from '../cloud/noise/cipher-state.ts';
import { fromHex, toHex } from './support/hex.ts';
import { vectorText } from './support/vectors.ts';

interface Vector {
  protocol_name: string;
  init_prologue: string; resp_prologue: string;
  init_psks?: string[]; resp_psks?: string[];
  init_static?: string; resp_static?: string;
  init_ephemeral: string; resp_ephemeral: string;
  init_remote_static?: string; resp_remote_static?: string;
  handshake_hash: string;
  messages: { payload: string; ciphertext: string }[];
}

const PATTERNS: PatternName[] = ['IK', 'XX', 'IKpsk2', 'XXpsk3'];
const all = (JSON.parse(vectorText('cacophony/vectors/cacophony.txt')) as { vectors: Vector[] }).vectors;
const wanted = new Map(PATTERNS.map((p) => [protocolName(p), p] as const));
const vectors = all.filter((v) => wanted.has(v.protocol_name));

function party(v: Vector, initiator: boolean): HandshakeState {
  const pre = initiator ? 'init' : 'resp';
  const psks = v[`${pre}_psks`];
  if (psks !== undefined && psks.length !== 1) throw new Error('one psk expected');
  const st = v[`${pre}_static`];
  const rs = v[`${pre}_remote_static`];
  return new HandshakeState({
    pattern: wanted.get(v.protocol_name)!,
    initiator,
    prologue: fromHex(v[`${pre}_prologue`]),
    s: st === undefined ? undefined : keyPairFromSecret(fromHex(st)),
    rs: rs === undefined ? undefined : fromHex(rs),
    psk: psks === undefined ? undefined : fromHex(psks[0]),
    e: keyPairFromSecret(fromHex(v[`${pre}_ephemeral`])),
  });
}

let ran = 0;
for (const v of vectors) {
  test(v.protocol_name, () => {
    const init = party(v, true);
    const resp = party(v, false);
    let transport: { init: { send: CipherState; recv: CipherState }; resp: { send: CipherState; recv: CipherState } } | null = null;
    v.messages.forEach((m, i) => {
      const fromInit = i % 2 === 0; // cacophony alternates senders through handshake and transport
      const payload = fromHex(m.payload);
      if (transport === null) {
        const [w, r] = fromInit ? [init, resp] : [resp, init];
        const ct = w.writeMessage(payload);
        assert.is(toHex(ct), m.ciphertext, `message ${i} written`);
        assert.is(toHex(r.readMessage(ct)), m.payload, `message ${i} read`);
        if (init.isComplete()) {
          assert.ok(resp.isComplete());
          assert.is(toHex(init.handshakeHash()), v.handshake_hash, 'initiator handshake hash');
          assert.is(toHex(resp.handshakeHash()), v.handshake_hash, 'responder handshake hash');
          transport = { init: init.split(), resp: resp.split() };
        }
      } else {
        const [w, r] = fromInit ? [transport.init, transport.resp] : [transport.resp, transport.init];
        const ct = w.send.encryptWithAd(new Uint8Array(0), payload);
        assert.is(toHex(ct), m.ciphertext, `transport message ${i} written`);
        assert.is(toHex(r.recv.decryptWithAd(new Uint8Array(0), ct)), m.payload, `transport message ${i} read`);
      }
    });
    assert.ok(transport !== null, 'handshake completed');
    ran++;
  });
}

test('exactly the four sealink protocols ran', () => {
  assert.is(vectors.length, 4);
  assert.is(ran, 4);
});

test('a tampered message fails and a clone keeps the state usable', () => {
  const v = vectors.find((x) => x.protocol_name === protocolName('IKpsk2'))!;
  const init = party(v, true);
  const resp = party(v, false);
  const m1 = init.writeMessage(fromHex(v.messages[0].payload));
  resp.readMessage(m1);
  const m2 = resp.writeMessage(fromHex(v.messages[1].payload));
  const bad = m2.slice(); bad[bad.length - 1] ^= 1;
  const trial = init.clone();
  assert.throws(() => trial.readMessage(bad), (e: Error) => (e as { code?: string }).code === 'decrypt');
  assert.is(toHex(init.readMessage(m2)), v.messages[1].payload);
  assert.is(toHex(init.handshakeHash()), v.handshake_hash);
});

test('readMessageUntilStatic stops before the ss DH and continueRead finishes', () => {
  const v = vectors.find((x) => x.protocol_name === protocolName('IKpsk2'))!;
  const init = party(v, true);
  let dhs = 0;
  const resp = new HandshakeState({
    pattern: 'IKpsk2', initiator: false, prologue: fromHex(v.resp_prologue),
    s: keyPairFromSecret(fromHex(v.resp_static!)), e: keyPairFromSecret(fromHex(v.resp_ephemeral)), onDh: () => dhs++,
  });
  const m1 = init.writeMessage(fromHex(v.messages[0].payload));
  const rs = resp.readMessageUntilStatic(m1);
  assert.is(dhs, 1, 'only es so far');
  assert.is(toHex(rs), toHex(keyPairFromSecret(fromHex(v.init_static!)).publicKey));
  assert.is(toHex(resp.continueRead()), v.messages[0].payload);
  assert.is(dhs, 2, 'es + ss');
  resp.setPsk(fromHex(v.resp_psks![0]));
  assert.is(toHex(resp.writeMessage(fromHex(v.messages[1].payload))), v.messages[1].ciphertext);
});

test.run();

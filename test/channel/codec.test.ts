// Wire codecs (protocol §2, §5, §6): strict message decoding, frames, mac1/mac2
// and cookie replies, TCP length framing with stream reassembly.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as C from '../../cloud/protocol/constants.ts';
import {
  decodeMessage, encodeCookieReply, encodeEnrollFinish, encodeEnrollInit, encodeEnrollResp, encodeSessionInit,
  encodeSessionResp, encodeTransport, ENROLL_INIT_MAC1, SESSION_INIT_MAC1, type Message,
} from '../../cloud/protocol/messages.ts';
import { decodeFrames, encodeFrames, MAX_DATA_BYTES } from '../../cloud/protocol/frames.ts';
import { cookieReplyKey, mac1Key, makeCookie, openCookie, sealCookie, sourceBytes, verifyMac1, verifyMac2, writeMacs } from '../../cloud/protocol/macs.ts';
import { FramingError, frameTcp, TcpFrameDecoder } from '../../cloud/protocol/tcp-framing.ts';
import { claimPsk, devicePsk } from '../../cloud/protocol/keys.ts';
import { CookieChecker } from '../../cloud/relay/cookies.ts';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ManualClock } from '../support/manual-clock.ts';
import { rng } from '../support/rng.ts';
import { toHex, utf8 } from '../support/hex.ts';

const r = rng('codec');

function samples(): Uint8Array[] {
  return [
    encodeSessionInit(1, r.bytes(104)),
    encodeSessionResp(2, 3, r.bytes(48)),
    encodeCookieReply(4, r.bytes(12), r.bytes(32)),
    encodeTransport(5, 6, r.bytes(16)),
    encodeTransport(5, 7, r.bytes(C.MAX_MESSAGE_BYTES - 16)),
    encodeEnrollInit(8, r.bytes(8), r.bytes(48)),
    encodeEnrollResp(9, 10, r.bytes(96)),
    encodeEnrollFinish(11, r.bytes(96)),
  ];
}

test('sizes are the spec table (§2) and every message decodes to its type', () => {
  const sizes = samples().map((b) => b.length);
  assert.equal(sizes, [144, 60, 52, 32, 1472, 112, 108, 104]);
  for (const b of samples()) {
    const m = decodeMessage(b) as Message;
    assert.type(m, 'object');
    assert.is(m.type, b[0]);
  }
  const s = decodeMessage(encodeSessionInit(0xdeadbeef, new Uint8Array(104).fill(7)));
  assert.ok(typeof s === 'object' && s.type === C.SESSION_INIT && s.sender === 0xdeadbeef && s.noise.every((x) => x === 7));
  const t = decodeMessage(encodeTransport(0xffffffff, 2 ** 40 + 3, new Uint8Array(20)));
  assert.ok(typeof t === 'object' && t.type === C.TRANSPORT && t.receiver === 0xffffffff && t.counter === 2 ** 40 + 3 && t.ciphertext.length === 20);
});

/** le32 / le64 written the long way (independent of cloud/protocol/bytes.ts). */
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const le64 = (v: number) => [...le32(v % 2 ** 32), ...le32(Math.floor(v / 2 ** 32))];
const hdr = (type: number) => [type, 0, 0, 0];

test('encoders lay out exactly the spec bytes (§2-§6), checked against a layout written out by hand', () => {
  for (let i = 0; i < 200; i++) {
    const idx = () => (i === 0 ? 0 : i === 1 ? 0xffffffff : r.u32());
    const [a, b] = [idx(), idx()];
    const n = r.bytes(104); const n48 = r.bytes(48); const n96 = r.bytes(96); const claim = r.bytes(8);
    const nonce = r.bytes(12); const sealed = r.bytes(32); const ct = r.bytes(16 + (i % 64));
    const counter = i === 2 ? 2 ** 53 - 1 : r.u32() * (i % 3);
    const cases: [Uint8Array, number[]][] = [
      [encodeSessionInit(a, n), [...hdr(1), ...le32(a), ...n, ...new Array(32).fill(0)]],
      [encodeSessionResp(a, b, n48), [...hdr(2), ...le32(a), ...le32(b), ...n48]],
      [encodeCookieReply(a, nonce, sealed), [...hdr(3), ...le32(a), ...nonce, ...sealed]],
      [encodeTransport(a, counter, ct), [...hdr(4), ...le32(a), ...le64(counter), ...ct]],
      [encodeEnrollInit(a, claim, n48), [...hdr(5), ...le32(a), ...claim, ...n48, ...new Array(48).fill(0)]],
      [encodeEnrollResp(a, b, n96), [...hdr(6), ...le32(a), ...le32(b), ...n96]],
      [encodeEnrollFinish(a, n96), [...hdr(7), ...le32(a), ...n96]],
    ];
    for (const [got, want] of cases) assert.is(toHex(got), toHex(Uint8Array.from(want)), `type ${want[0]}`);
  }
  // Bad arguments still throw before anything is built, with the field named.
  assert.throws(() => encodeSessionResp(1, 2 ** 32, r.bytes(48)), /receiver: not a u32/);
  assert.throws(() => encodeSessionInit(-1, r.bytes(104)), /sender: not a u32/);
  assert.throws(() => encodeEnrollInit(1, r.bytes(7), r.bytes(48)), /claim_id: expected 8 bytes, got 7/);
  assert.throws(() => encodeCookieReply(1, r.bytes(12), 'x' as unknown as Uint8Array), TypeError);
  assert.throws(() => encodeTransport(1, 0, r.bytes(15)), RangeError);
  assert.throws(() => encodeTransport(1, 0, r.bytes(C.MAX_MESSAGE_BYTES - 15)), RangeError);
});

test('strict decoding: reserved bytes, exact sizes, unknown types, padding, limits', () => {
  for (const b of samples()) {
    for (let i = 1; i < 4; i++) { const x = b.slice(); x[i] = 1; assert.is(decodeMessage(x), 'reserved-nonzero'); }
    if (b[0] !== C.TRANSPORT) {
      assert.is(decodeMessage(b.subarray(0, b.length - 1)), 'wrong-size');
      const longer = new Uint8Array(b.length + 1); longer.set(b);
      assert.is(decodeMessage(longer), 'wrong-size');
    }
  }
  assert.is(decodeMessage(new Uint8Array(3)), 'malformed-short');
  assert.is(decodeMessage(new Uint8Array(C.MAX_MESSAGE_BYTES + 1).fill(4, 0, 1)), 'malformed-long');
  for (const type of [0, 8, 255]) { const x = new Uint8Array(144); x[0] = type; assert.is(decodeMessage(x), 'unknown-type'); }
  const shortT = new Uint8Array(31); shortT[0] = C.TRANSPORT;
  assert.is(decodeMessage(shortT), 'wrong-size');
  const ei = encodeEnrollInit(1, r.bytes(8), r.bytes(48)); ei[64 + 15] = 1;
  assert.is(decodeMessage(ei), 'padding-nonzero');
  const big = encodeTransport(1, 0, new Uint8Array(16)); big.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 8);
  assert.is((decodeMessage(big) as { counter: number }).counter, -1, 'a counter >= 2^53 decodes as out of range');
  assert.throws(() => encodeSessionInit(1, new Uint8Array(103)), RangeError);
  assert.throws(() => encodeSessionInit(2 ** 32, new Uint8Array(104)), RangeError);
});

test('frames: round trip, unknown kinds skipped, malformed refused', () => {
  const data = r.bytes(100);
  const frames = [
    { kind: C.FRAME_DATA, data }, { kind: C.FRAME_ACK, counter: 2 ** 21 - 1 }, { kind: C.FRAME_REKEY },
    { kind: C.FRAME_ENROLLED, admissionKey: r.bytes(32) }, { kind: C.FRAME_PADDING, length: 5 },
  ] as const;
  const p = encodeFrames(frames);
  assert.is(p.length, 103 + 11 + 3 + 35 + 8);
  const back = decodeFrames(p)!;
  assert.is(back.length, 5);
  assert.equal(back.map((f) => f.kind), [1, 2, 3, 4, 0]);
  assert.is(toHex((back[0] as { data: Uint8Array }).data), toHex(data));
  assert.is((back[1] as { counter: number }).counter, 2 ** 21 - 1);
  assert.equal(decodeFrames(new Uint8Array(0)), [], 'keepalive');
  assert.equal(decodeFrames(Uint8Array.from([9, 0, 2, 1, 2, 1, 0, 0])), [{ kind: 1, data: new Uint8Array(0) }], 'unknown kind 9 skipped');
  assert.is(decodeFrames(Uint8Array.from([1, 0, 5, 1])), null, 'truncated body');
  assert.is(decodeFrames(Uint8Array.from([1, 0])), null, 'truncated header');
  assert.is(decodeFrames(Uint8Array.from([2, 0, 7, 0, 0, 0, 0, 0, 0, 0])), null, 'ACK of 7 bytes');
  assert.is(decodeFrames(Uint8Array.from([3, 0, 1, 0])), null, 'REKEY with a body');
  assert.is(decodeFrames(Uint8Array.from([4, 0, 31, ...new Uint8Array(31)])), null, 'ENROLLED of 31 bytes');
  assert.is(encodeFrames([{ kind: C.FRAME_DATA, data: new Uint8Array(MAX_DATA_BYTES) }]).length, C.MAX_RECORD_PLAINTEXT);
  assert.throws(() => encodeFrames([{ kind: C.FRAME_DATA, data: new Uint8Array(MAX_DATA_BYTES + 1) }]), RangeError);
});

test('mac1 / mac2: written and verified over the right prefix', () => {
  const sRelay = r.bytes(32); const secret = r.bytes(32); const key = mac1Key(sRelay, secret);
  const msg = encodeSessionInit(7, r.bytes(104));
  writeMacs(msg, SESSION_INIT_MAC1, key, null);
  assert.ok(verifyMac1(msg, SESSION_INIT_MAC1, key));
  assert.ok(msg.subarray(128).every((x) => x === 0), 'mac2 zero without a cookie');
  const cookie = r.bytes(16);
  writeMacs(msg, SESSION_INIT_MAC1, key, cookie);
  assert.ok(verifyMac1(msg, SESSION_INIT_MAC1, key) && verifyMac2(msg, SESSION_INIT_MAC1 + 16, cookie));
  for (const bit of [0, 8 * 50, 8 * 111 + 7]) {
    const x = msg.slice(); x[bit >> 3] ^= 1 << (bit & 7);
    assert.not.ok(verifyMac1(x, SESSION_INIT_MAC1, key), `bit ${bit}`);
  }
  assert.not.ok(verifyMac1(msg, SESSION_INIT_MAC1, mac1Key(sRelay, r.bytes(32))), 'another admission key');
  const ei = encodeEnrollInit(1, r.bytes(8), r.bytes(48));
  writeMacs(ei, ENROLL_INIT_MAC1, key, cookie);
  assert.ok(verifyMac1(ei, ENROLL_INIT_MAC1, key) && verifyMac2(ei, ENROLL_INIT_MAC1 + 16, cookie));
});

test('cookie reply: 52 bytes (<= 144 and <= 112), opens only against the right mac1', () => {
  const sRelay = r.bytes(32); const clock = new ManualClock();
  const jar = new CookieChecker(sRelay, clock, (n) => r.bytes(n), C.COOKIE_SECRET_LIFETIME);
  const msg = encodeSessionInit(42, r.bytes(104));
  writeMacs(msg, SESSION_INIT_MAC1, mac1Key(sRelay, r.bytes(32)), null);
  const reply = jar.reply(msg, SESSION_INIT_MAC1, 42, '10.0.0.1', 5000);
  assert.is(reply.length, C.COOKIE_REPLY_BYTES);
  assert.ok(reply.length <= C.SESSION_INIT_BYTES && reply.length <= C.ENROLL_INIT_BYTES);
  const m = decodeMessage(reply);
  assert.ok(typeof m === 'object' && m.type === C.COOKIE_REPLY && m.receiver === 42);
  const cr = m as { nonce: Uint8Array; encryptedCookie: Uint8Array };
  const cookie = openCookie(cookieReplyKey(sRelay), cr.nonce, msg.subarray(112, 128), cr.encryptedCookie)!;
  assert.ok(cookie !== null && cookie.length === 16);
  assert.is(openCookie(cookieReplyKey(sRelay), cr.nonce, r.bytes(16), cr.encryptedCookie), null, 'another mac1');
  writeMacs(msg, SESSION_INIT_MAC1, mac1Key(sRelay, r.bytes(32)), cookie);
  assert.ok(jar.checkMac2(msg, 128, '10.0.0.1', 5000));
  assert.not.ok(jar.checkMac2(msg, 128, '10.0.0.1', 5001), 'another port');
  assert.not.ok(jar.checkMac2(msg, 128, '10.0.0.2', 5000), 'another address');
  clock.advance(C.COOKIE_SECRET_LIFETIME);
  assert.not.ok(jar.checkMac2(msg, 128, '10.0.0.1', 5000), 'R_secret replaced after 120 s');
  assert.is(toHex(makeCookie(new Uint8Array(32), sourceBytes('1.2.3.4', 258))).length, 32);
  const sealed = sealCookie(cookieReplyKey(sRelay), new Uint8Array(12), new Uint8Array(16), new Uint8Array(16));
  assert.is(sealed.length, 32);
});

test('key derivations are RFC 5869 HKDF-SHA256 with the spec labels (§3)', () => {
  const token = r.bytes(16); const ck = r.bytes(32);
  assert.is(toHex(claimPsk(token)), toHex(hkdf(sha256, token, new Uint8Array(0), utf8('sealink/1 claim psk'), 32)));
  assert.is(toHex(devicePsk(ck)), toHex(hkdf(sha256, new Uint8Array(0), ck, utf8('sealink/1 device psk'), 32)));
});

test('tcp framing: reassembly across any split, several per chunk, bad lengths', () => {
  const msgs = samples();
  const stream = Uint8Array.from(msgs.flatMap((m) => [...frameTcp(m)]));
  assert.is(stream[0], 0); assert.is(stream[1], 144, 'length is big-endian');
  for (const step of [1, 2, 3, 7, 64, 1000, stream.length]) {
    const dec = new TcpFrameDecoder();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += step) out.push(...dec.push(stream.subarray(i, i + step)));
    assert.equal(out.map(toHex), msgs.map(toHex), `chunks of ${step}`);
    assert.is(dec.pending, 0);
  }
  for (const bad of [[0, 0], [0, 3], [0x05, 0xc1] /* 1473 */, [0xff, 0xff]]) {
    const dec = new TcpFrameDecoder();
    assert.throws(() => dec.push(Uint8Array.from([...frameTcp(msgs[0]), ...bad])), (e: Error) => e instanceof FramingError);
    assert.throws(() => dec.push(frameTcp(msgs[0])), (e: Error) => e instanceof FramingError, 'stays failed');
  }
  const dec = new TcpFrameDecoder();
  assert.equal(dec.push(Uint8Array.from([0x05, 0xc0])), [], 'length 1472 is allowed');
  assert.throws(() => frameTcp(new Uint8Array(3)), RangeError);
});

test.run();

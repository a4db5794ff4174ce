// The simulated board: a HalImpl for Node, so the same core binary runs in
// tests and on a laptop as on a device (STYLE: "a generic build keeps the API
// and turns hardware calls into host imports").
//
// Everything a test wants to control is injectable: clock, randomness,
// storage, log, control sink. The network is off unless asked for, reaches
// only loopback or addresses the caller lists, and never binds a wildcard
// address. Accelerators are off unless asked for, so by default the core's
// own crypto is what runs; switching them on must not change any result.

import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman,
  randomFillSync, type KeyObject } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, isIP, BlockList, type Socket as TcpSocket } from 'node:net';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
// .js: this file is also compiled by the build's declaration step, which does not take .ts imports.
import {
  type HalImpl, HAL_OK, HAL_EINVAL, HAL_ENOENT, HAL_ENOSPC, HAL_EIO, HAL_EAGAIN, HAL_ENOTSUP,
  HAL_CAP_X25519, HAL_CAP_CHACHA20_POLY1305, HAL_CAP_SHA256, HAL_CAP_AES_BLOCK,
} from './hal.generated.js';

/** Milliseconds on a monotonic clock. */
export interface Clock { now(): number }

/** The core exports the simulation needs to deliver received bytes. */
export interface CoreRx {
  memory: WebAssembly.Memory;
  fw_rx_ptr(): number;
  fw_rx_bytes(): number;
  fw_on_packet(handle: number, len: number): number;
}

export interface SimNetwork {
  /** Non-loopback IP literals the core may reach (loopback is always allowed). */
  allow?: string[];
  /** Local address for UDP sockets to non-loopback peers; required for them (no wildcard binds). */
  localAddress?: string;
}

export interface SimOptions {
  /** Default: performance.now() since construction. */
  clock?: Clock;
  /** Default: crypto.randomFillSync. Tests pass a seeded source. */
  random?: (out: Uint8Array) => void;
  /** A Map (hex key -> value), or a directory: one file per key, written atomically. Default: a new Map. */
  storage?: Map<string, Uint8Array> | { dir: string };
  /** Core log lines and the simulation's own notes ("sim: ..."). Default: errors and warnings to stderr. */
  log?: (level: number, message: string) => void;
  /** Receives a copy of each control message the core hands over. Default: discarded. */
  onControl?: (feed: number, body: Uint8Array) => void;
  /** false (default): hal_net_open fails with HAL_EIO. */
  network?: boolean | SimNetwork;
  /** Accelerators backed by node:crypto; true switches all on. Default: all off. */
  accel?: boolean | { x25519?: boolean; aead?: boolean; sha256?: boolean; aes?: boolean };
}

const LEVELS = ['error', 'warn', 'info', 'debug'];
const UDP_MAX = 65507;
/** Backpressure points: past these, sends return HAL_EAGAIN instead of queueing without bound. */
const UDP_QUEUE_MAX = 64;
const TCP_QUEUE_BYTES = 64 * 1024;
/** Longest key the directory store takes: two hex digits a byte must fit a 255-byte file name. */
const KEY_MAX_BYTES = 120;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

interface Conn {
  transport: 0 | 1;
  udp?: UdpSocket;
  tcp?: TcpSocket;
  address: string;
  port: number;
  failed: boolean;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const b64url = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64url');
const defaultLog = (level: number, message: string) => {
  if (level <= 1) console.error(`[sealink ${LEVELS[level] ?? level}] ${message}`);
};

/** A simulated board. Call attach(instance.exports) so it can deliver network data. */
export class SimHal implements HalImpl {
  private readonly clock: Clock;
  private readonly random: (out: Uint8Array) => void;
  private readonly store: Map<string, Uint8Array> | { dir: string };
  private readonly log: (level: number, message: string) => void;
  private readonly onControl?: (feed: number, body: Uint8Array) => void;
  private readonly net: SimNetwork | null;
  private readonly caps: number;
  /**
   * How many times the core called each accelerator (whatever it answered), so
   * a test can tell that the accelerators were really used, or never asked.
   */
  readonly accelCalls = { x25519: 0, aeadSeal: 0, aeadOpen: 0, sha256: 0, aes256Block: 0 };
  private lastMs = 0;
  private core: CoreRx | null = null;
  private nextHandle = 0;
  private readonly conns = new Map<number, Conn>();

  constructor(options: SimOptions = {}) {
    const t0 = performance.now();
    this.clock = options.clock ?? { now: () => performance.now() - t0 };
    this.random = options.random ?? ((out) => { randomFillSync(out); });
    this.store = options.storage ?? new Map();
    if (!(this.store instanceof Map)) mkdirSync(this.store.dir, { recursive: true });
    this.log = options.log ?? defaultLog;
    this.onControl = options.onControl;
    this.net = options.network === true ? {} : options.network || null;
    const a = options.accel === true ? { x25519: true, aead: true, sha256: true, aes: true } : options.accel || {};
    this.caps = (a.x25519 ? HAL_CAP_X25519 : 0) | (a.aead ? HAL_CAP_CHACHA20_POLY1305 : 0)
      | (a.sha256 ? HAL_CAP_SHA256 : 0) | (a.aes ? HAL_CAP_AES_BLOCK : 0);
  }

  /** Gives the simulation the core's receive entry points (loadCore calls this). */
  attach(exports: WebAssembly.Exports): void {
    const x = exports as unknown as Partial<CoreRx>;
    const ok = x.memory instanceof WebAssembly.Memory && typeof x.fw_rx_ptr === 'function'
      && typeof x.fw_rx_bytes === 'function' && typeof x.fw_on_packet === 'function';
    // A core without the protocol (crypto only) has no receive path; data for it is dropped and noted.
    this.core = ok ? (x as CoreRx) : null;
  }

  /** Closes every socket the core opened (end of a test or simulation). */
  close(): void {
    for (const handle of [...this.conns.keys()]) this.hal_net_close(handle);
  }

  private note(level: number, message: string): void { this.log(level, `sim: ${message}`); }

  // ---- clock, randomness, log, control ----

  hal_clock_now_ms(out: Uint8Array): number {
    const now = Math.floor(this.clock.now());
    if (!Number.isFinite(now) || now < 0) return HAL_EIO;
    // The contract promises a clock that never goes backwards, whatever the injected one does.
    this.lastMs = Math.max(this.lastMs, now);
    new DataView(out.buffer, out.byteOffset, 8).setBigUint64(0, BigInt(this.lastMs), true);
    return HAL_OK;
  }

  hal_rng_fill(out: Uint8Array): number {
    this.random(out);
    return HAL_OK;
  }

  hal_log(level: number, message: Uint8Array): number {
    this.log(level, new TextDecoder().decode(message));
    return HAL_OK;
  }

  hal_control_deliver(feed: number, body: Uint8Array): number {
    this.onControl?.(feed, body.slice());
    return HAL_OK;
  }

  // ---- storage ----

  private file(key: Uint8Array): string | null {
    if (this.store instanceof Map || key.length > KEY_MAX_BYTES) return null;
    return join(this.store.dir, `k-${hex(key)}`);
  }

  hal_storage_get(key: Uint8Array, out: Uint8Array): number {
    let value: Uint8Array | undefined;
    if (this.store instanceof Map) value = this.store.get(hex(key));
    else {
      const file = this.file(key);
      if (file === null) return HAL_EINVAL;
      try { value = readFileSync(file); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
    }
    if (value === undefined) return HAL_ENOENT;
    if (value.length > out.length) return HAL_EINVAL;
    out.set(value);
    return value.length;
  }

  hal_storage_put(key: Uint8Array, value: Uint8Array): number {
    if (this.store instanceof Map) {
      this.store.set(hex(key), value.slice());
      return HAL_OK;
    }
    const file = this.file(key);
    if (file === null) return HAL_EINVAL;
    // Atomic: a reader (or a crash) sees the old file or the new one, never a
    // partial write. fsync before rename so the new name never points at
    // unwritten blocks after a power cut.
    const tmp = `${file}.tmp-${process.pid}`;
    try {
      const fd = openSync(tmp, 'w');
      try { writeSync(fd, value); fsyncSync(fd); } finally { closeSync(fd); }
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return HAL_ENOSPC;
      throw e;
    }
    return HAL_OK;
  }

  hal_storage_delete(key: Uint8Array): number {
    if (this.store instanceof Map) {
      this.store.delete(hex(key));
      return HAL_OK;
    }
    const file = this.file(key);
    if (file === null) return HAL_EINVAL;
    rmSync(file, { force: true });
    return HAL_OK;
  }

  // ---- network ----

  hal_net_open(transport: number, host: Uint8Array, port: number): number {
    if (this.net === null) {
      this.note(1, 'hal_net_open: the simulation has no network (SimOptions.network)');
      return HAL_EIO;
    }
    if ((transport !== 0 && transport !== 1) || port < 1 || port > 65535) return HAL_EINVAL;
    const name = new TextDecoder().decode(host);
    const address = name === 'localhost' ? '127.0.0.1' : name;
    const family = isIP(address);
    if (family === 0) {
      this.note(1, `hal_net_open: ${JSON.stringify(name)}: the simulation takes IP literals and "localhost" only`);
      return HAL_EINVAL;
    }
    const ipv = family === 4 ? 'ipv4' : 'ipv6';
    const loopback = LOOPBACK.check(address, ipv);
    if (!loopback && !(this.net.allow ?? []).some((a) => isIP(a) === family && sameAddress(a, address, ipv))) {
      this.note(1, `hal_net_open: ${address} is neither loopback nor in SimOptions.network.allow`);
      return HAL_EINVAL;
    }
    const local = loopback ? (family === 4 ? '127.0.0.1' : '::1') : this.net.localAddress;
    const handle = this.nextHandle++;
    const conn: Conn = { transport, address, port, failed: false };
    const fail = (e: Error) => {
      conn.failed = true;
      this.note(1, `handle ${handle} (${address}:${port}): ${e.message}`);
    };
    if (transport === 0) {
      if (local === undefined) {
        this.note(1, 'hal_net_open: UDP to a non-loopback peer needs SimOptions.network.localAddress');
        return HAL_EINVAL;
      }
      const udp = createSocket(family === 4 ? 'udp4' : 'udp6');
      udp.on('error', fail);
      udp.on('message', (msg, from) => {
        // Only the peer's datagrams: the socket is not connect()ed, so filter here.
        if (from.port === port && sameAddress(from.address, address, ipv)) this.deliver(handle, conn, msg, true);
      });
      udp.bind({ address: local, port: 0 });
      conn.udp = udp;
    } else {
      const tcp = tcpConnect({ host: address, port, family, ...(local ? { localAddress: local } : {}) });
      tcp.setNoDelay(true);
      tcp.on('error', fail);
      tcp.on('close', () => { conn.failed = true; });
      // Chunks are delivered as they arrive; reassembly is the core's job.
      tcp.on('data', (chunk: Buffer) => this.deliver(handle, conn, chunk, false));
      conn.tcp = tcp;
    }
    this.conns.set(handle, conn);
    return handle;
  }

  hal_net_send(handle: number, data: Uint8Array): number {
    const conn = this.conns.get(handle);
    if (conn === undefined) return HAL_ENOENT;
    if (conn.failed) return HAL_EIO;
    const copy = Buffer.from(data); // data is a view into the core's memory, valid only now
    if (conn.udp) {
      if (data.length > UDP_MAX) return HAL_EINVAL;
      if (conn.udp.getSendQueueCount() >= UDP_QUEUE_MAX) return HAL_EAGAIN;
      conn.udp.send(copy, conn.port, conn.address, (e) => { if (e) this.note(1, `handle ${handle} send: ${e.message}`); });
    } else {
      if (conn.tcp!.writableLength >= TCP_QUEUE_BYTES) return HAL_EAGAIN;
      conn.tcp!.write(copy);
    }
    return data.length;
  }

  hal_net_close(handle: number): number {
    const conn = this.conns.get(handle);
    if (conn === undefined) return HAL_ENOENT;
    this.conns.delete(handle);
    conn.failed = true;
    conn.udp?.close();
    conn.tcp?.destroy();
    return HAL_OK;
  }

  /**
   * Copies received bytes into the core's receive buffer and calls fw_on_packet,
   * in pieces that fit. fw_rx_ptr() and fw_rx_bytes() are asked again before
   * EACH piece: during TCP reassembly the core keeps a partial message at the
   * start of the buffer and moves the window after it (firmware/protocol/tcp.ts),
   * so the room left can shrink between pieces and copying the first answer's
   * size would write past the buffer's end.
   */
  private deliver(handle: number, conn: Conn, data: Uint8Array, datagram: boolean): void {
    if (this.conns.get(handle) !== conn) return; // closed meanwhile
    const x = this.core;
    if (x === null) {
      this.note(1, `handle ${handle}: dropped ${data.length} bytes: no core with fw_on_packet attached`);
      return;
    }
    let at = 0;
    do {
      const room = x.fw_rx_bytes();
      // A datagram cut in two is two garbage records; drop it whole, as a board would.
      if (datagram && data.length > room) {
        this.note(1, `handle ${handle}: dropped a ${data.length}-byte datagram (receive buffer ${room})`);
        return;
      }
      if (room <= 0) {
        // The contract promises room for at least one byte; a core that breaks
        // that would otherwise spin here forever.
        this.note(0, `handle ${handle}: fw_rx_bytes() is ${room}: dropped the last ${data.length - at} bytes of a chunk`);
        return;
      }
      const piece = data.subarray(at, Math.min(at + room, data.length));
      new Uint8Array(x.memory.buffer, x.fw_rx_ptr(), piece.length).set(piece);
      at += piece.length;
      try {
        const status = x.fw_on_packet(handle, piece.length);
        if (status < 0) this.note(3, `handle ${handle}: fw_on_packet returned ${status}`);
      } catch (e) {
        this.note(0, `handle ${handle}: fw_on_packet trapped: ${(e as Error).message}`);
        return;
      }
      if (this.conns.get(handle) !== conn) return; // the core closed the socket while handling the piece
    } while (at < data.length);
  }

  // ---- accelerators (node:crypto) ----

  hal_capabilities(): number { return this.caps; }

  hal_accel_x25519(out: Uint8Array, scalar: Uint8Array, u: Uint8Array): number {
    this.accelCalls.x25519++;
    if (!(this.caps & HAL_CAP_X25519)) return HAL_ENOTSUP;
    const privateKey = x25519Private(scalar.subarray(0, 32));
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64url(u.subarray(0, 32)) }, format: 'jwk' });
    let shared: Buffer;
    try {
      shared = diffieHellman({ privateKey, publicKey });
    } catch {
      // OpenSSL refuses an all-zero shared secret (u of small order). The
      // contract wants that result as bytes; the core checks for zero itself.
      out.fill(0, 0, 32);
      return HAL_OK;
    }
    out.set(shared);
    shared.fill(0);
    return HAL_OK;
  }

  hal_accel_aead_seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array, out: Uint8Array): number {
    this.accelCalls.aeadSeal++;
    if (!(this.caps & HAL_CAP_CHACHA20_POLY1305)) return HAL_ENOTSUP;
    if (out.length !== pt.length + 16) return HAL_EINVAL;
    const c = createCipheriv('chacha20-poly1305', key.subarray(0, 32), nonce.subarray(0, 12), { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: pt.length });
    // Computed in full before out is written: out may overlap pt (in-place sealing).
    const ct = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
    out.set(ct);
    return HAL_OK;
  }

  hal_accel_aead_open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array, out: Uint8Array): number {
    this.accelCalls.aeadOpen++;
    if (!(this.caps & HAL_CAP_CHACHA20_POLY1305)) return HAL_ENOTSUP;
    const n = ct.length - 16;
    if (out.length !== n) return HAL_EINVAL;
    const d = createDecipheriv('chacha20-poly1305', key.subarray(0, 32), nonce.subarray(0, 12), { authTagLength: 16 });
    d.setAAD(aad, { plaintextLength: n });
    d.setAuthTag(ct.subarray(n));
    const pt = d.update(ct.subarray(0, n));
    try {
      d.final();
    } catch {
      pt.fill(0);
      out.fill(0);
      return HAL_EINVAL;
    }
    out.set(pt);
    pt.fill(0);
    return HAL_OK;
  }

  hal_accel_sha256(data: Uint8Array, out: Uint8Array): number {
    this.accelCalls.sha256++;
    if (!(this.caps & HAL_CAP_SHA256)) return HAL_ENOTSUP;
    out.set(createHash('sha256').update(data).digest());
    return HAL_OK;
  }

  hal_accel_aes256_block(key: Uint8Array, block: Uint8Array, out: Uint8Array): number {
    this.accelCalls.aes256Block++;
    if (!(this.caps & HAL_CAP_AES_BLOCK)) return HAL_ENOTSUP;
    const c = createCipheriv('aes-256-ecb', key.subarray(0, 32), null).setAutoPadding(false);
    const r = Buffer.concat([c.update(block.subarray(0, 16)), c.final()]);
    out.set(r);
    r.fill(0);
    return HAL_OK;
  }
}

function sameAddress(a: string, b: string, ipv: 'ipv4' | 'ipv6'): boolean {
  const one = new BlockList();
  one.addAddress(a, ipv);
  return one.check(b, ipv);
}

/**
 * An X25519 private KeyObject for a raw scalar. Node's JWK import builds the
 * key from d alone (x is required by its parser, not used: the public half is
 * derived from d), which is ~8x faster here than PKCS#8 DER; if a Node
 * version ever checks x, the DER path (RFC 8410) takes over. Either way the
 * results are compared with @noble in test/hal.test.ts. The base64 string of
 * the scalar cannot be wiped: acceptable in a simulation, not on a relay.
 */
function x25519Private(scalar: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64url(scalar), x: PLACEHOLDER_X }, format: 'jwk' });
  } catch {
    const der = Buffer.concat([X25519_PKCS8_PREFIX, scalar]);
    try { return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }); } finally { der.fill(0); }
  }
}
const PLACEHOLDER_X = b64url(new Uint8Array(32));
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

// A hand-driven device for the attack suites: raw UDP / TCP sockets that record
// every reply, and the IKpsk2 initiator steps done by hand so a test can put
// any counter, index or byte on the wire (the reference client never would).

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { Identity } from '../../../cloud/keys/did.ts';
import type { DeviceCredentials } from '../../../cloud/device/index.ts';
import type { CipherState } from '../../../cloud/noise/cipher-state.ts';
import { keyPairFromSecret } from '../../../cloud/noise/crypto.ts';
import { HandshakeState } from '../../../cloud/noise/handshake-state.ts';
import { u64Bytes } from '../../../cloud/protocol/bytes.ts';
import * as C from '../../../cloud/protocol/constants.ts';
import { decodeFrames, encodeFrames, type Frame } from '../../../cloud/protocol/frames.ts';
import { mac1Key, writeMacs } from '../../../cloud/protocol/macs.ts';
import {
  decodeMessage, encodeEnrollResp, encodeSessionInit, encodeTransport, ENROLL_RESP_NOISE_BYTES, SESSION_INIT_MAC1,
} from '../../../cloud/protocol/messages.ts';
import { bindResponseHeader, RESPONSE_HEADER_BYTES } from '../../../cloud/protocol/response-header.ts';
import { TcpFrameDecoder, frameTcp } from '../../../cloud/protocol/tcp-framing.ts';

const EMPTY = new Uint8Array(0);

/** A raw socket to the relay that records what comes back. */
export interface RawPeer {
  readonly kind: 'udp' | 'tcp';
  /** Whole messages received (TCP: frames without the length). */
  readonly replies: Uint8Array[];
  /** Send one message (TCP: length-prefixed). */
  send(message: Uint8Array): void;
  /** TCP: raw stream bytes. UDP: one datagram of exactly these bytes. */
  sendRaw(bytes: Uint8Array): void;
  /** TCP: the relay closed the connection. */
  readonly closed: boolean;
  /** Local port (the source port the relay sees). */
  readonly localPort: number;
  close(): Promise<void>;
}

/** A UDP socket bound to `bindAddress` (any 127.x.y.z works on Linux) and connected to host:port. */
export async function rawUdpPeer(host: string, port: number, bindAddress = '127.0.0.1'): Promise<RawPeer> {
  const sock: UdpSocket = createSocket('udp4');
  await new Promise<void>((res, rej) => { sock.once('error', rej); sock.bind(0, bindAddress, () => { sock.off('error', rej); res(); }); });
  await new Promise<void>((res) => sock.connect(port, host, () => res()));
  const replies: Uint8Array[] = [];
  sock.on('message', (m) => replies.push(new Uint8Array(m)));
  sock.on('error', () => {});
  let closed = false;
  return {
    kind: 'udp', replies,
    send: (m) => { if (!closed) sock.send(m); },
    sendRaw: (b) => { if (!closed) sock.send(b); },
    get closed() { return closed; },
    localPort: sock.address().port,
    close: () => {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((r) => sock.close(() => r()));
    },
  };
}

/** A TCP connection to host:port speaking the 2-byte length framing. */
export async function rawTcpPeer(host: string, port: number): Promise<RawPeer> {
  const sock: Socket = tcpConnect({ host, port, noDelay: true });
  await new Promise<void>((res, rej) => { sock.once('error', rej); sock.once('connect', () => { sock.off('error', rej); res(); }); });
  const replies: Uint8Array[] = [];
  const dec = new TcpFrameDecoder();
  let closed = false;
  sock.on('data', (chunk: Buffer) => {
    const { messages, error } = dec.decode(new Uint8Array(chunk));
    replies.push(...messages);
    if (error !== null) sock.destroy();
  });
  sock.on('error', () => {});
  sock.on('close', () => { closed = true; });
  return {
    kind: 'tcp', replies,
    send: (m) => { if (!sock.destroyed) sock.write(frameTcp(m)); },
    sendRaw: (b) => { if (!sock.destroyed) sock.write(b); },
    get closed() { return closed; },
    localPort: sock.localPort ?? 0,
    close: () => new Promise<void>((r) => {
      if (closed) return r();
      sock.once('close', () => r());
      sock.destroy();
    }),
  };
}

/** An IKpsk2 initiation in flight (protocol §4). */
export interface Initiation {
  message: Uint8Array;
  index: number;
  hs: HandshakeState;
}

/** SESSION_INIT of `identity` with `counter`, mac1 keyed by the credentials' admission key (mac2 zero, or from `cookie`). */
export function sessionInit(identity: Identity, creds: DeviceCredentials, counter: bigint, index: number, cookie: Uint8Array | null = null): Initiation {
  const hs = new HandshakeState({
    pattern: 'IKpsk2', initiator: true, prologue: C.PROLOGUE_SESSION,
    s: keyPairFromSecret(identity.x25519Secret), rs: creds.relayStatic, psk: creds.devicePsk,
  });
  const message = encodeSessionInit(index, hs.writeMessage(u64Bytes(counter)));
  writeMacs(message, SESSION_INIT_MAC1, mac1Key(creds.relayStatic, creds.admissionKey), cookie);
  return { message, index, hs };
}

/** The transport keys of a session, held by the test. */
export interface ScriptedSession {
  /** The relay's index (our `receiver`). */
  relayIndex: number;
  myIndex: number;
  send: CipherState;
  recv: CipherState;
  /** A TRANSPORT record at `counter` carrying `frames`. */
  record(counter: number, frames: Frame[]): Uint8Array;
  /** Frames of a record from the relay, or null when it does not authenticate. */
  open(message: Uint8Array): Frame[] | null;
}

/** Finish `init` with the relay's SESSION_RESP (throws when it does not authenticate). */
export function completeSession(init: Initiation, response: Uint8Array): ScriptedSession {
  const m = decodeMessage(response);
  if (typeof m === 'string' || m.type !== C.SESSION_RESP || m.receiver !== init.index) throw new Error(`not our SESSION_RESP: ${typeof m === 'string' ? m : m.type}`);
  bindResponseHeader(init.hs, m.bytes); // protocol §2
  init.hs.readMessage(m.noise);
  const { send, recv } = init.hs.split();
  const relayIndex = m.sender;
  return {
    relayIndex, myIndex: init.index, send, recv,
    record: (counter, frames) => encodeTransport(relayIndex, counter, send.encryptAt(counter, EMPTY, encodeFrames(frames))),
    open: (message) => {
      const t = decodeMessage(message);
      if (typeof t === 'string' || t.type !== C.TRANSPORT || t.receiver !== init.index) return null;
      const p = recv.decryptAt(t.counter, EMPTY, t.ciphertext);
      return p === null ? null : decodeFrames(p);
    },
  };
}

/** DATA frame helper. */
export const data = (bytes: Uint8Array): Frame => ({ kind: C.FRAME_DATA, data: bytes });

/**
 * ENROLL_RESP written by `hs` (an XXpsk3 responder that has read message 1) the
 * way a relay writes it: header hashed first (protocol §2). What an attacker
 * holding the claim token can send; a device must then judge it on its static key.
 */
export function enrollResp(hs: HandshakeState, sender: number, receiver: number): Uint8Array {
  const out = encodeEnrollResp(sender, receiver, new Uint8Array(ENROLL_RESP_NOISE_BYTES));
  bindResponseHeader(hs, out);
  out.set(hs.writeMessage(), RESPONSE_HEADER_BYTES);
  return out;
}

/** Read a relay's ENROLL_RESP / SESSION_RESP (whole message) into `hs`, header first (protocol §2). Throws when it does not authenticate. */
export function readResp(hs: HandshakeState, response: Uint8Array): Uint8Array {
  bindResponseHeader(hs, response);
  return hs.readMessage(response.subarray(RESPONSE_HEADER_BYTES));
}

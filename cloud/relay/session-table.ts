// Sessions and pending enrollments by our index, and each device's session
// slots (WireGuard's keypairs: current, previous, next).
//
// - A SESSION_INIT that completes installs `next` (replacing, and wiping, an
//   older unconfirmed one).
// - The first authenticated TRANSPORT on `next` confirms it: previous is wiped,
//   current becomes previous (still accepted for receiving until
//   REJECT_AFTER_TIME, so records in flight across a rekey are not lost),
//   next becomes current.
// - The relay sends on `current` only.

import type { EnrollmentState } from './enrollment-state.ts';
import type { Session } from './session.ts';

interface Slots { current?: Session; previous?: Session; next?: Session }

export class SessionTable {
  private readonly byIndex = new Map<number, Session | EnrollmentState>();
  private readonly byDevice = new Map<string, Slots>();
  /** Indices handed out by reserveIndex() and not yet released. */
  private readonly reserved = new Set<number>();

  constructor(private readonly random: (n: number) => Uint8Array) {}

  /** A random 32-bit index not in use (§2). */
  allocateIndex(): number {
    for (;;) {
      const b = this.random(4);
      const i = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
      if (!this.byIndex.has(i) && !this.reserved.has(i)) return i;
    }
  }

  /**
   * allocateIndex(), held until releaseIndex(): for a handshake that must put
   * its index in the response header before an await (protocol §2, §4), so no
   * concurrent handshake is given the same one meanwhile.
   */
  reserveIndex(): number {
    const i = this.allocateIndex();
    this.reserved.add(i);
    return i;
  }

  releaseIndex(index: number): void {
    this.reserved.delete(index);
  }

  get(index: number): Session | EnrollmentState | undefined {
    return this.byIndex.get(index);
  }

  addEnrollment(state: EnrollmentState): void {
    this.byIndex.set(state.index, state);
  }

  removeEnrollment(state: EnrollmentState): void {
    if (this.byIndex.get(state.index) === state) this.byIndex.delete(state.index);
  }

  /** Install a freshly handshaken (unconfirmed) session for its device. */
  installNext(s: Session): void {
    const previous = this.slots(s.did).next;
    if (previous !== undefined) this.drop(previous);
    // drop() may delete the device's slot record when `previous` was its only
    // session; look it up again so the new session is not written into a
    // detached record (invisible to revoke(), never confirmed).
    this.slots(s.did).next = s;
    this.byIndex.set(s.index, s);
    s.endpoint.sessions?.add(s);
  }

  /** Key confirmation (§4): `s` becomes current. No-op unless `s` is its device's next. */
  confirm(s: Session): void {
    const slots = this.byDevice.get(s.did);
    if (slots === undefined || slots.next !== s) return;
    if (slots.previous !== undefined) this.drop(slots.previous);
    slots.previous = slots.current;
    slots.current = s;
    slots.next = undefined;
    s.confirmed = true;
  }

  /** The session the relay sends on for `did`. */
  current(did: string): Session | undefined {
    return this.byDevice.get(did)?.current;
  }

  /** Remove and wipe one session. */
  drop(s: Session): void {
    if (this.byIndex.get(s.index) === s) this.byIndex.delete(s.index);
    const slots = this.byDevice.get(s.did);
    if (slots !== undefined) {
      if (slots.current === s) slots.current = undefined;
      if (slots.previous === s) slots.previous = undefined;
      if (slots.next === s) slots.next = undefined;
      if (slots.current === undefined && slots.previous === undefined && slots.next === undefined) this.byDevice.delete(s.did);
    }
    s.wipe();
  }

  /** End every session of `did` at once (revocation). Returns how many ended. */
  endDevice(did: string): number {
    const slots = this.byDevice.get(did);
    if (slots === undefined) return 0;
    let n = 0;
    for (const s of [slots.current, slots.previous, slots.next]) if (s !== undefined) { this.drop(s); n++; }
    return n;
  }

  /** Every live session. */
  *sessions(): IterableIterator<Session> {
    for (const v of this.byIndex.values()) if (v.kind === 'session') yield v;
  }

  *enrollments(): IterableIterator<EnrollmentState> {
    for (const v of this.byIndex.values()) if (v.kind === 'enrollment') yield v;
  }

  get size(): number {
    return this.byIndex.size;
  }

  /** Wipe everything (shutdown). */
  clear(): void {
    for (const v of this.byIndex.values()) v.wipe();
    this.byIndex.clear();
    this.byDevice.clear();
    this.reserved.clear();
  }

  private slots(did: string): Slots {
    let s = this.byDevice.get(did);
    if (s === undefined) { s = {}; this.byDevice.set(did, s); }
    return s;
  }
}

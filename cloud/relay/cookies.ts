// The relay side of cookies (protocol §5; WireGuard §5.4.7): R_secret changes
// every COOKIE_SECRET_LIFETIME; cookie = MAC16(R_secret, source address || port);
// a COOKIE_REPLY carries it sealed to the device's mac1.

import { COOKIE_NONCE_BYTES, MAC_BYTES } from '../protocol/constants.ts';
import { encodeCookieReply } from '../protocol/messages.ts';
import { cookieReplyKey, makeCookie, sealCookie, sourceBytes, verifyMac2 } from '../protocol/macs.ts';
import type { Clock } from '../util/clock.ts';

export class CookieChecker {
  private secret: Uint8Array;
  private bornAt: number;
  private readonly replyKey: Uint8Array;

  constructor(relayStatic: Uint8Array, private readonly clock: Clock, private readonly random: (n: number) => Uint8Array,
    private readonly lifetimeMs: number) {
    this.replyKey = cookieReplyKey(relayStatic);
    this.secret = random(32);
    this.bornAt = clock.now();
  }

  private current(): Uint8Array {
    const now = this.clock.now();
    if (now - this.bornAt >= this.lifetimeMs) {
      this.secret.fill(0);
      this.secret = this.random(32);
      this.bornAt = now;
    }
    return this.secret;
  }

  /** The cookie of a source. */
  cookieFor(address: string, port: number): Uint8Array {
    return makeCookie(this.current(), sourceBytes(address, port));
  }

  /** Is the mac2 at `mac2At` valid for this source under the current R_secret? */
  checkMac2(msg: Uint8Array, mac2At: number, address: string, port: number): boolean {
    return verifyMac2(msg, mac2At, this.cookieFor(address, port));
  }

  /** COOKIE_REPLY answering a message with sender index `receiver` and mac1 at `mac1At`. */
  reply(msg: Uint8Array, mac1At: number, receiver: number, address: string, port: number): Uint8Array {
    const nonce = this.random(COOKIE_NONCE_BYTES);
    const mac1 = msg.subarray(mac1At, mac1At + MAC_BYTES);
    return encodeCookieReply(receiver, nonce, sealCookie(this.replyKey, nonce, mac1, this.cookieFor(address, port)));
  }

  wipe(): void {
    this.secret.fill(0);
  }
}

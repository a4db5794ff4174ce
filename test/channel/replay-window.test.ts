// The RFC 6479 window (protocol §6): edges, and a seeded comparison with a
// plain set-based model for the relay and device sizes.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReplayWindow } from '../../cloud/protocol/replay-window.ts';
import { REPLAY_WINDOW_DEVICE, REPLAY_WINDOW_RELAY, REJECT_AFTER_MESSAGES } from '../../cloud/protocol/constants.ts';
import { rng } from '../support/rng.ts';

test('edges: first counter, duplicates, exactly the window, far jumps, limit', () => {
  for (const size of [64, REPLAY_WINDOW_DEVICE, REPLAY_WINDOW_RELAY]) {
    const w = new ReplayWindow(size);
    assert.ok(w.accept(0), 'counter 0 first');
    assert.not.ok(w.accept(0), 'duplicate 0');
    assert.ok(w.accept(size + 10));
    // oldest accepted: highest - size + 1; highest - size is out
    assert.not.ok(w.check(10), `${size}: highest - size is too old`);
    assert.ok(w.check(11), `${size}: highest - size + 1 is inside`);
    assert.ok(w.accept(11));
    assert.not.ok(w.accept(11));
    assert.ok(w.accept(size + 9), 'just below highest');
    assert.not.ok(w.accept(size + 10), 'highest again');
    assert.ok(w.accept(size + 11), 'next');
    // a jump much larger than the ring clears it completely
    const far = 10 * size + 5;
    assert.ok(w.accept(far));
    assert.ok(w.accept(far - size + 1), 'bit of an old lap does not linger');
    assert.not.ok(w.check(far - size));
    assert.not.ok(w.check(-1));
    assert.not.ok(w.check(1.5));
    assert.not.ok(w.check(REJECT_AFTER_MESSAGES), 'REJECT_AFTER_MESSAGES refused');
    assert.ok(w.check(REJECT_AFTER_MESSAGES - 1));
  }
  assert.throws(() => new ReplayWindow(100), RangeError);
  assert.throws(() => new ReplayWindow(0), RangeError);
});

test('check() never changes state; accept() only on success', () => {
  const w = new ReplayWindow(128);
  for (let i = 0; i < 10; i++) w.check(i * 1000);
  assert.is(w.highestAccepted, -1);
  w.accept(500);
  assert.not.ok(w.accept(300), 'too old');
  assert.is(w.highestAccepted, 500);
  assert.ok(w.accept(499));
});

test('every ring word boundary: a full window accepted in reverse, then all refused', () => {
  for (const size of [REPLAY_WINDOW_DEVICE, REPLAY_WINDOW_RELAY]) {
    const w = new ReplayWindow(size);
    const top = 3 * size + 31;
    assert.ok(w.accept(top));
    for (let c = top - 1; c > top - size; c--) assert.ok(w.accept(c), `${size}: ${c}`);
    for (let c = top; c > top - size; c--) assert.not.ok(w.accept(c), `${size}: replay ${c}`);
    assert.not.ok(w.accept(top - size));
  }
});

test('seeded random order matches a set-based model', () => {
  for (const size of [64, REPLAY_WINDOW_DEVICE, REPLAY_WINDOW_RELAY]) {
    const r = rng(`replay-model-${size}`);
    const w = new ReplayWindow(size, 2 ** 40); // the model has no REJECT_AFTER_MESSAGES
    const seen = new Set<number>();
    let highest = -1;
    let base = 0;
    for (let i = 0; i < 20000; i++) {
      const roll = r.int(100);
      if (roll < 3) base += r.int(4 * size); // occasional big jumps
      const c = Math.max(0, base + r.int(2 * size) - size);
      const fresh = !seen.has(c) && c > highest - size;
      assert.is(w.accept(c), fresh, `${size}: counter ${c} (highest ${highest})`);
      if (fresh) { seen.add(c); if (c > highest) highest = c; }
      base += r.int(3);
    }
  }
});

test.run();

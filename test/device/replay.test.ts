// The device's replay window (docs/protocol.md §6: REPLAY_WINDOW_DEVICE = 128;
// firmware/protocol/replay.ts) through the test build, against a plain model:
// accept a counter once, refuse it again, refuse anything 128 or more below the
// highest accepted, in any order of arrival.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rng } from '../support/rng.ts';
import { loadTestCore } from './support.ts';

const test = suite('device: replay window');
const WINDOW = 128n;

function model() {
  const seen = new Set<bigint>();
  let top = -1n;
  return (c: bigint): number => {
    if (seen.has(c) || (top >= 0n && c <= top - WINDOW)) return 0;
    seen.add(c);
    if (c > top) top = c;
    return 1;
  };
}

test('edges: duplicates, the window boundary, jumps of 63/64/65/127/128/129 and far', async () => {
  const { x } = await loadTestCore();
  x.test_replay_reset();
  const m = model();
  const seq = [0n, 0n, 1n, 3n, 2n, 2n, 130n, 2n, 3n, 4n, 130n, 129n, 66n, 194n, 258n, 259n, 131n, 132n, 323n, 387n, 388n, 516n,
    517n, 389n, 390n, 1000n, 873n, 872n, 999n, 1000n, 2n ** 21n, 2n ** 21n - 127n, 2n ** 21n - 128n];
  for (const c of seq) assert.is(x.test_replay(c), m(c), `counter ${c}`);
});

test('random arrival orders agree with the model (seeded)', async () => {
  const { x } = await loadTestCore();
  const r = rng('replay-window');
  for (let round = 0; round < 40; round++) {
    x.test_replay_reset();
    const m = model();
    let base = 0n;
    for (let i = 0; i < 2000; i++) {
      const jump = r.int(10) === 0 ? BigInt(r.int(300)) : 0n;
      base += jump;
      const c = base + BigInt(r.int(200)) - 100n;
      if (c < 0n) continue;
      assert.is(x.test_replay(c), m(c), `round ${round} step ${i}: counter ${c}`);
    }
  }
});

test.run();

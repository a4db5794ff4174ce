// Child process of crash.test.ts: appends readings (and raises a device
// counter) as fast as the store acknowledges them, printing each acknowledged
// write on stdout, until it is killed.
//
//   node --import tsx test/store/crash-child.ts DB_PATH KEY_HEX FIRST_SEQ

import { openSqliteStore } from '../../cloud/store/index.ts';
import { crashBody } from './support.ts';

const [path, keyHex, firstSeq] = process.argv.slice(2);
const DEVICE = 'did:key:z6MkCrashDevice';
const IN_FLIGHT = 64;

const store = await openSqliteStore({ path, key: Buffer.from(keyHex, 'hex'), commitDelayMs: 2 });
// Pipes to the parent are synchronous on Linux: a printed line is out before the next write.
const say = (line: string): void => void process.stdout.write(`${line}\n`);
say('ready');

let seq = Number(firstSeq);
let counter = BigInt(seq);
function next(): void {
  const s = seq++;
  void store.append({ device: DEVICE, epoch: 1, seq: s, feed: 1, body: crashBody(s), receivedAt: s }).then((r) => {
    say(`a ${s} ${r}`);
    // Re-send an acknowledged reading now and then: it must stay stored once.
    if (s % 7 === 0) void store.append({ device: DEVICE, epoch: 1, seq: s, feed: 1, body: crashBody(s + 1), receivedAt: s }).then((d) => say(`d ${s} ${d}`));
    if (s % 50 === 0) {
      const c = ++counter;
      void store.updateCounter(DEVICE, c).then(() => say(`c ${c}`));
    }
    next();
  });
}
for (let i = 0; i < IN_FLIGHT; i++) next();

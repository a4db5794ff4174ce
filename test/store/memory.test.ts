// The in-memory store against the Store conformance suite.

import { MemoryStore } from '../../cloud/store/index.ts';
import { storeConformance } from './conformance.ts';

storeConformance('memory', async () => ({ store: new MemoryStore(), cleanup: async () => {} })).run();

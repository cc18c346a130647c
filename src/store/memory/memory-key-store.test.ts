// Runs the KeyStore and UsageLedger contract suites on the in-memory implementations.
import { describeKeyStore } from '../key-store.contract.js';
import { describeUsageLedger } from '../usage-ledger.contract.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { MemoryUsageLedger } from './memory-usage-ledger.js';

describeKeyStore('memory', async () => ({ keys: new MemoryKeyStore(), cleanup: async () => {} }));
describeUsageLedger('memory', async () => ({ usage: new MemoryUsageLedger(), cleanup: async () => {} }));

// Builds a live heap of one shape and size, prints its size after a full GC,
// then waits (SIGUSR2 writes a snapshot through --heapsnapshot-signal) until
// stdin closes.
//   node --expose-gc --heapsnapshot-signal=SIGUSR2 heap-shape.js SHAPE MB
// Shapes: small (many small objects), strings (big unique strings), tiny (short
// strings and boxed numbers), graph
// (a deep tree of linked nodes), maps (Maps and arrays of numbers), mixed.
'use strict';
const v8 = require('v8');

const [shape, megabytes] = [process.argv[2], Number(process.argv[3])];
const target = megabytes * 1024 * 1024;
// Global: a module-level const no closure captures dies when the module returns.
const kept = globalThis.kept = [];
let serial = 0;

const builders = {
  // ~40 B objects with two small fields: the most snapshot nodes per heap byte.
  small() {
    const chunk = new Array(10000);
    for (let i = 0; i < chunk.length; i++) chunk[i] = { id: serial++, flag: i & 1 };
    return chunk;
  },
  // Flat 64 KB one-byte strings, each unique: few nodes, many bytes.
  strings() {
    const chunk = [];
    for (let i = 0; i < 16; i++) {
      const bytes = Buffer.alloc(65536, 97 + (serial % 26));
      bytes.write(`${serial++}:`);
      chunk.push(bytes.toString('latin1'));
    }
    return chunk;
  },
  // Short unique strings and boxed numbers (~24 B and 16 B each): more
  // snapshot nodes per heap byte than any object.
  tiny() {
    const chunk = new Array(10000);
    for (let i = 0; i < chunk.length; i += 2) {
      chunk[i] = `k${serial++}`;
      chunk[i + 1] = serial + 0.5;
    }
    return chunk;
  },
  // A tree 14 levels deep whose nodes also link to a sibling and their parent.
  graph() {
    const root = { depth: 0, children: [], parent: null, sibling: null };
    let level = [root];
    for (let depth = 1; depth < 14 && level.length < 4096; depth++) {
      const next = [];
      for (const parent of level) {
        for (let i = 0; i < 2; i++) {
          const node = { depth, children: [], parent, sibling: next[next.length - 1] ?? null, id: serial++ };
          parent.children.push(node);
          next.push(node);
        }
      }
      level = next;
    }
    return root;
  },
  // Maps of number keys to short arrays, and number arrays.
  maps() {
    const map = new Map();
    for (let i = 0; i < 2000; i++) map.set(serial++, [i, i + 1, i + 2]);
    return [map, Array.from({ length: 2000 }, (_, i) => i * 1.5)];
  },
  mixed() {
    const pick = ['small', 'strings', 'graph', 'maps'][serial % 4];
    serial++;
    return builders[pick]();
  },
};

const build = builders[shape];
if (!build || !(megabytes > 0)) {
  console.error(`usage: heap-shape.js small|strings|tiny|graph|maps|mixed MB`);
  process.exit(2);
}
while (v8.getHeapStatistics().used_heap_size < target) kept.push(build());
global.gc();
global.gc();
const stats = v8.getHeapStatistics();
console.log(JSON.stringify({
  shape, node: process.version, pid: process.pid,
  heapUsed: stats.used_heap_size, heapTotal: stats.total_heap_size,
}));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));

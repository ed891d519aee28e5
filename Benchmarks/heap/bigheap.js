// Builds a large heap of many small objects, strings and arrays, then writes two snapshots:
// a.heapsnapshot, and b.heapsnapshot after 10% more items (so `heap diff` has work to do).
const v8 = require('v8');
const dir = process.argv[2];
const items = Number(process.argv[3] || 3_500_000);

class Item {
  constructor(i, parent) {
    this.id = i;
    this.name = 'item-' + i;
    this.tags = [i, i + 1];
    this.parent = parent;
  }
}
const store = [];
const byBucket = new Map();
function grow(count) {
  const start = store.length;
  for (let i = start; i < start + count; i++) {
    const item = new Item(i, store[i >> 1] || null);
    store.push(item);
    if (i % 16 === 0) byBucket.set('bucket-' + i, { item, seen: i });
  }
}
grow(items);
v8.writeHeapSnapshot(dir + '/a.heapsnapshot');
grow(Math.floor(items / 10));
v8.writeHeapSnapshot(dir + '/b.heapsnapshot');

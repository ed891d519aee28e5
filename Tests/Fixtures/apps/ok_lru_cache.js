// A bounded LRU cache (Map in insertion order, oldest evicted) under a key
// space far larger than the cache: evicted entries die in old space, so the
// heap saws up and down between full GCs but never grows for good.
const { churn, every } = require('./_app');
const cache = new Map(); const max = 60000; let n = 0;
every(10, () => {
  churn(1000);
  for (let i = 0; i < 400; i++) {
    const key = 'k' + (n++ * 7919 % 10000000);
    cache.delete(key);
    cache.set(key, { key, payload: 'v'.repeat(200) });
    if (cache.size > max) cache.delete(cache.keys().next().value);
  }
});

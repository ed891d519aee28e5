// record-seconds: 60
// A cache that fills ever more slowly (the working set of keys is finite:
// new keys get rarer), 1 - e^(-t/12) of its ~60 MB final size.
const { churn, every } = require('./_app');
const cache = new Map();
every(10, (t) => {
  churn(150);
  const target = Math.floor(120000 * (1 - Math.exp(-t / 12)));
  while (cache.size < target) cache.set('k' + cache.size, { value: 'c'.repeat(300) + cache.size });
});

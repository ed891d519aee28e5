// record-seconds: 50 (a slow leak: V8 on Node 20/22 runs its first full GC after warm-up only ~35-40 s in)
// Slow leak: ~400 KB/s of small objects kept in a module-level list (an
// audit log nobody trims), under ordinary request churn.
const { churn, every } = require('./_app');
const audit = [];
every(20, () => {
  churn(800);
  for (let i = 0; i < 40; i++) audit.push({ at: Date.now(), who: 'user' + i, what: 'x'.repeat(120) });
});

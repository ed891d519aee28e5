// record-seconds: 50 (Node 20/22 may run no full GC in the worker between ~9 s and ~30 s)
// The main thread only churns; a worker thread leaks (~1.5 MB/s) into a
// module-level array. Both isolates trace to the same stdout, same pid.
const { Worker, isMainThread } = require('worker_threads');
const { churn, every } = require('./_app');
if (isMainThread) {
  new Worker(__filename);
  every(10, () => churn(1500));
} else {
  const kept = [];
  setInterval(() => {
    churn(1000);
    for (let i = 0; i < 100; i++) kept.push({ i, blob: 'w'.repeat(120) });
  }, 10);
}

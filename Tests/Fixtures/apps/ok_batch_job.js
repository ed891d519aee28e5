// A batch worker: every 8 s it builds a 50-100 MB working set over ~3 s,
// processes it, and drops it.
const { churn, every } = require('./_app');
let batch = null; let batchStarted = 0; let round = 0;
every(20, (t) => {
  churn(300);
  if (batch === null && t - batchStarted >= 8) { batch = []; batchStarted = t; round++; }
  if (batch !== null) {
    const target = (50 + 25 * (round % 3)) * 1024 * 1024;   // 50, 75, 100 MB
    for (let i = 0; i < 600; i++) batch.push({ row: batch.length, data: 'd'.repeat(400) });
    if (batch.length * 480 >= target || t - batchStarted > 4) batch = null;
  }
});

// record-seconds: 60
// Loads a ~60 MB lookup table once, 14 s in (after warm-up: a lazy init on
// the first request of its kind), then serves requests with a flat heap.
const { churn, every } = require('./_app');
let table = null;
every(10, (t) => {
  churn(150);
  if (!table && t > 14) { table = []; for (let i = 0; i < 150000; i++) table.push({ i, data: 'l'.repeat(300) + i }); }
});

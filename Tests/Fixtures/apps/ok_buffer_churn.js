// Large Buffers (external memory, outside the V8 heap) allocated per request
// and dropped, plus small-object churn.
const { churn, every } = require('./_app');
let kept = [];
every(20, () => {
  churn(500);
  kept.push(Buffer.alloc(4 * 1024 * 1024, 1));
  if (kept.length > 8) kept = kept.slice(-2);
});

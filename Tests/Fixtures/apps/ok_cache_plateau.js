// A reference cache filled on demand for 15 s (2.5 MB/s), then complete:
// every later lookup hits.
const { churn, every } = require('./_app');
const cache = new Map(); let next = 0;
every(10, (t) => {
  churn(1200);
  if (t < 15) for (let i = 0; i < 100; i++) cache.set('ref' + next++, { id: next, body: 'r'.repeat(200) });
  else cache.get('ref' + Math.floor(Math.random() * next));
});

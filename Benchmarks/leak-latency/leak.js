// Leaks ~4 MB/s of small objects under steady garbage churn, for
// APP_SECONDS (default 40): memwatchd's trend detector calls it within ~20 s.
'use strict';
class LeakedRecord { constructor(i) { this.i = i; this.note = 'leak'.repeat(25) + i; } }
const keep = [];
const stop = Date.now() + Number(process.env.APP_SECONDS || 40) * 1000;
const timer = setInterval(() => {
  for (let i = 0; i < 200; i++) keep.push(new LeakedRecord(i));
  let garbage = 0;
  for (let i = 0; i < 4000; i++) garbage += JSON.stringify({ i, url: '/x/' + i }).length;
  if (Date.now() > stop) { clearInterval(timer); console.log('done', keep.length); }
}, 10);

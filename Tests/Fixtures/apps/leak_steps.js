// record-seconds: 60
// Leak in steps: every 5 s a scheduled job keeps ~5 MB of results in a
// module-level list and never lets go; requests churn in between. The floor
// is flat most seconds and jumps at each job.
const { churn, every } = require('./_app');
const results = []; let lastJob = 0;
every(10, (t) => {
  churn(150);
  if (t - lastJob >= 5) { lastJob = t; for (let i = 0; i < 12000; i++) results.push({ job: t, row: i, data: 'r'.repeat(300) }); }
});

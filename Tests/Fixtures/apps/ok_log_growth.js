// A memo cache whose new keys get rarer over time (the number of distinct
// keys seen grows like log t): fast growth at first, ever slower.
const { churn, every } = require('./_app');
const memo = new Map(); let owed = 0; let next = 0;
every(10, (t) => {
  churn(1200);
  owed += 1000 / (t + 1);   // entries per tick: 100/(t+1) per ms... ~ 1000 ln(1+t) total per second scale
  while (owed >= 1) { memo.set('q' + next++, { result: 'm'.repeat(300) }); owed--; }
});

// record-seconds: 60
// A batch job that is slow to build: every 15 s it gathers ~50 MB over 8 s,
// then drops all of it at once.
const { churn, every } = require('./_app');
let work = [];
every(10, (t) => {
  churn(150);
  if (t % 15 < 8) for (let i = 0; i < 100; i++) work.push({ i, data: 'w'.repeat(600) });
  else work = [];
});

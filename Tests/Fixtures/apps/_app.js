// Shared by the adversarial apps: bounded run time and request-like garbage.
const seconds = Number(process.env.APP_SECONDS || 30);
function churn(count) {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const req = { method: 'POST', url: '/api/' + i, body: { id: i, tags: ['a', 'b', String(i)] } };
    total += JSON.stringify(req).length;
  }
  return total;
}
function every(ms, tick) {
  const started = Date.now();
  const timer = setInterval(() => tick((Date.now() - started) / 1000), ms);
  setTimeout(() => { clearInterval(timer); process.exit(0); }, seconds * 1000);
}
module.exports = { churn, every, seconds };

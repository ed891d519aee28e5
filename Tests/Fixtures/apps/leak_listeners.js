// record-seconds: 60
// Leak through an event emitter: each request subscribes a closure (holding
// ~1 KB of its payload) to a process-wide bus and never unsubscribes.
const { churn, every } = require('./_app');
const EventEmitter = require('events');
const bus = new EventEmitter(); bus.setMaxListeners(0);
every(10, () => {
  churn(150);
  for (let i = 0; i < 20; i++) { const payload = 'p'.repeat(1000) + Math.random(); bus.on('config', () => payload.length); }
});

// Healthy for 12 s, then a listener leak: every request adds a closure to a
// long-lived emitter (~1.5 MB/s).
const { churn, every } = require('./_app');
const { EventEmitter } = require('events');
const bus = new EventEmitter();
bus.setMaxListeners(0);
every(10, (t) => {
  churn(1500);
  if (t > 12) for (let i = 0; i < 12; i++) { const ctx = 'c'.repeat(1000) + i; bus.on('config', () => ctx.length); }
});

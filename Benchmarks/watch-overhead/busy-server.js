// A busy HTTP server that does not leak: it serves JSON to its own built-in
// load (64 requests in flight, as fast as it goes) and keeps only the last
// 1000 responses. Lots of garbage, so V8 prints many GC lines. Runs until killed.
'use strict';
const http = require('http');
const recent = new Map();
let served = 0;
const server = http.createServer((req, res) => {
  served++;
  const body = JSON.stringify({ id: served, url: req.url, items: Array.from({ length: 40 }, (_, i) => `item-${served}-${i}`) });
  recent.set(served, body);
  recent.delete(served - 1000);
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const fire = () => http.get({ host: '127.0.0.1', port, path: '/orders?page=' + (served % 50), agent }, (res) => {
    res.resume();
    res.on('end', fire);
  }).on('error', () => setTimeout(fire, 10));
  for (let i = 0; i < 64; i++) fire();
  setInterval(() => console.log(`served ${served}`), 10000);
});

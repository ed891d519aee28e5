// Demo: an HTTP server that leaks under its own built-in load.
// Every request stores its response in a "recent responses" map that is meant to be
// trimmed, but the trim compares against the wrong key, so nothing is ever evicted.
// Runs for DEMO_SECONDS (default 60), then exits 0.
const http = require('http');

const recentResponses = new Map();
const MAX_RECENT = 1000;
let served = 0;

class ResponseRecord {
  constructor(id, url, body) {
    this.id = id;
    this.url = url;
    this.body = body;
    this.at = Date.now();
  }
}

const server = http.createServer((req, res) => {
  served++;
  const body = JSON.stringify({ id: served, url: req.url, items: Array.from({ length: 40 }, (_, i) => `item-${served}-${i}`) });
  recentResponses.set(served, new ResponseRecord(served, req.url, body));
  // Bug: keys are numbers, but the trim looks them up as strings, so it never deletes.
  if (recentResponses.size > MAX_RECENT) recentResponses.delete(String(served - MAX_RECENT));
  res.setHeader('content-type', 'application/json');
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`leaky-server listening on http://127.0.0.1:${port} (pid ${process.pid})`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  // About 1600 requests a second: enough to leak ~1 MB/s, little enough to stay a demo.
  const fire = () => {
    http.get({ host: '127.0.0.1', port, path: '/orders?page=' + (served % 50), agent }, (res) => res.resume())
      .on('error', () => {});
  };
  const load = setInterval(() => { for (let i = 0; i < 16; i++) fire(); }, 10);
  const report = setInterval(() => console.log(`served ${served} requests, ${recentResponses.size} remembered`), 5000);
  setTimeout(() => { clearInterval(report); clearInterval(load); agent.destroy(); server.close(); process.exit(0); },
    Number(process.env.DEMO_SECONDS || 60) * 1000);
});

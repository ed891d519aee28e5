// Spawns COUNT short-lived children (child.sh), one every INTERVAL ms, all
// writing to this process's stdout (inherited), so `memwatchd run` admits
// them: they are below its command. Waits for the last one, then exits.
// Usage: node driver.js COUNT INTERVAL_MS
'use strict';
const { spawn } = require('child_process');
const path = require('path');
const count = Number(process.argv[2] || 2000);
const interval = Number(process.argv[3] || 300);
const child = path.join(__dirname, 'child.sh');
let started = 0, alive = 0, maxAlive = 0, failed = 0;
const timer = setInterval(() => {
  if (started >= count) { clearInterval(timer); return; }
  const p = spawn('/bin/sh', [child, String(started)], { stdio: ['ignore', 'inherit', 'inherit'] });
  started++; alive++; maxAlive = Math.max(maxAlive, alive);
  p.on('exit', (code) => {
    alive--; if (code !== 0) failed++;
    if (started >= count && alive === 0) {
      process.stderr.write(`driver: ${started} children, at most ${maxAlive} alive at once, ${failed} failed\n`);
    }
  });
}, interval);

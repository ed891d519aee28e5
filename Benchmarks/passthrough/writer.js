// Writes MB megabytes (default 500) of text lines to stdout as fast as the
// reader takes them, allocating as it goes so V8 prints GC trace lines too.
'use strict';
const total = Number(process.env.MB || 500) * 1024 * 1024;
const line = 'the quick brown fox jumps over the lazy dog [0123456789] '.repeat(2) + '\n';
const block = Buffer.from(line.repeat(Math.floor(65536 / line.length)));
let written = 0;
function pump() {
  while (written < total) {
    const chunk = Buffer.from(block); // fresh garbage every block: keeps the GC busy
    written += chunk.length;
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', pump);
  }
}
pump();

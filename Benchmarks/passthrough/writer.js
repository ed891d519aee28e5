// Writes MB megabytes (default 500) of text lines to stdout as fast as the
// reader takes them, allocating as it goes so V8 prints GC trace lines too.
'use strict';
const total = Number(process.env.MB || 500) * 1024 * 1024;
// A typical log line; BRACKETS=1 uses `[digits]` lines instead, the costliest
// app output for the filter (every line is checked as a possible trace start).
const line = process.env.BRACKETS
  ? '[1700000000123] the quick brown fox jumps over the lazy dog, request 42 done in 12 ms\n'
  : '2024-05-01T12:00:00.000Z INFO [http] GET /api/items?page=3 200 12ms user=alice\n';
const block = Buffer.from(line.repeat(Math.floor(65536 / line.length)));
let written = 0;
// LINES=1: one console.log per line, as most apps log (one write per line).
let n = 0;
function logLines() {
  while (written < total) {
    const text = `${line.slice(0, -1)} #${n++}`;
    written += text.length + 1;
    console.log(text);
    if (n % 1000 === 0 && process.stdout.writableLength > 1 << 20) return process.stdout.once('drain', logLines);
  }
}
function pump() {
  while (written < total) {
    const chunk = Buffer.from(block); // fresh garbage every block: keeps the GC busy
    written += chunk.length;
    if (!process.stdout.write(chunk)) return process.stdout.once('drain', pump);
  }
}
if (process.env.LINES) logLines(); else pump();

// Dies of OOM fast: keeps every chunk.
const keep = [];
setInterval(() => { for (let i = 0; i < 2000; i++) keep.push({ i, s: 'x'.repeat(64) + i }); }, 1);

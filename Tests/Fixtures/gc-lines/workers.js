// Main thread and two workers allocate: three isolates in one pid.
const { Worker, isMainThread } = require('worker_threads');
const churn = () => { let a = []; for (let i = 0; i < 300000; i++) { a.push({ i }); if (a.length > 50000) a = []; } };
if (isMainThread) { new Worker(__filename); new Worker(__filename); churn(); } else { churn(); }

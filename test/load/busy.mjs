// Plain JavaScript, so it runs before `npm ci` has installed tsx.
// Keeps one core busy: the competing load that CI's flake hunt runs beside
// the suites (`test/load/under-load.sh`). It spins until its time is up
// (BUSY_SECONDS, default one hour) or it is killed, and does nothing else.
const seconds = Number(process.env.BUSY_SECONDS) || 3600;
const until = Date.now() + seconds * 1000;
let x = 0;
while (Date.now() < until) for (let i = 0; i < 1e6; i++) x = (x * 31 + i) | 0;
console.log(`busy: spun for ${seconds} s (${x})`);

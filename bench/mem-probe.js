// Preloaded (`node --import`) into credd and the bare server by the footprint scenario, both
// alike: on SIGUSR2 it appends one JSON line to BENCH_PROBE_FILE with process.memoryUsage() and
// the sizes of V8's heap spaces, so the bench can say where the memory of each step went. It
// allocates nothing until asked.
import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
    appendFileSync(file, `${JSON.stringify({ ...process.memoryUsage(), spaces })}\n`);
  });
}

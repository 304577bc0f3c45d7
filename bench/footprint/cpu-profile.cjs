// Preloaded with FERROLB_BENCH_CPU_PROF_DIR (NODE_OPTIONS=--require, since --cpu-prof is not allowed
// there): profiles the main thread from start to exit and writes <dir>/<pid>.cpuprofile.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const directory = process.env.FERROLB_BENCH_CPU_PROF_DIR;
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(`${directory}/${process.pid}.cpuprofile`, JSON.stringify(result.profile));
  });
});

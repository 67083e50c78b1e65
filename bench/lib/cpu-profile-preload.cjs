// Loaded into every process start.mjs spawns (NODE_OPTIONS=--require, with `--profile`); acts
// only in the service named by BENCH_PROFILE_SERVICE. SIGUSR2 starts the V8 CPU profiler, the
// next SIGUSR2 stops it and writes <BENCH_PROFILE_DIR>/<service>-<pid>-<time>.cpuprofile, so a
// profile covers exactly one bench phase. (`--cpu-prof` itself is refused in NODE_OPTIONS.)
const service = process.env.BENCH_PROFILE_SERVICE;
if (service && (process.argv[1] ?? '').includes(`dist/services/${service}/`) && !process.argv.includes('migrate')) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const path = require('node:path');
  const session = new inspector.Session();
  session.connect();
  let profiling = false;
  process.on('SIGUSR2', () => {
    if (!profiling) {
      profiling = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    profiling = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const file = path.join(process.env.BENCH_PROFILE_DIR ?? '.', `${service}-${process.pid}-${Date.now()}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}

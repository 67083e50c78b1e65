// `npm test` runs every project's specs in one Jest run (one summary line for CI). Most specs
// wait on real servers rather than on the CPU, so two workers keep both cores busy.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js'],
  reporters: ['default', '<rootDir>/jest.summary-reporter.js'],
  maxWorkers: 3,
  testTimeout: 60_000,
};

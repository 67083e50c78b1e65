// `npm test` runs every project's specs in one Jest run (one summary for CI).
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js'],
  testTimeout: 60_000,
};

module.exports = { ...require('../../jest.preset'), displayName: 'jobs', rootDir: __dirname };

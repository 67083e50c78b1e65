module.exports = { ...require('../../jest.preset'), displayName: 'tracing', rootDir: __dirname };

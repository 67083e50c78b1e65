module.exports = { ...require('../../jest.preset'), displayName: 'system-tests', rootDir: __dirname };

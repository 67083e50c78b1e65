module.exports = { ...require('../../jest.preset'), displayName: 'billing', rootDir: __dirname };

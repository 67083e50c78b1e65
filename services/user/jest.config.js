module.exports = { ...require('../../jest.preset'), displayName: 'user', rootDir: __dirname };

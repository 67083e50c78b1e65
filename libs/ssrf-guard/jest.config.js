module.exports = { ...require('../../jest.preset'), displayName: 'ssrf-guard', rootDir: __dirname };

module.exports = { ...require('../../jest.preset'), displayName: 'mcp', rootDir: __dirname };

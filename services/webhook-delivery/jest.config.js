module.exports = { ...require('../../jest.preset'), displayName: 'webhook-delivery', rootDir: __dirname };

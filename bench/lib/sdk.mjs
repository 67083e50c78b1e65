// The client SDK (libs/client) as its package is published: `npm run bench` builds it first
// (`nx run client:build`, cached) into dist/libs/client, and the bench imports that build like
// any other consumer of @conveyor/client would.
export * from '../../dist/libs/client/index.js';

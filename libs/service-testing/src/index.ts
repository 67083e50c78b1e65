export { generateSigningKey, jwksOf, signAccessToken, startJwksServer, TEST_SIGNING_KEY } from './access-token';
export type { AccessTokenClaims, JwksServer, SigningKey } from './access-token';
export { send, STACK_TRACE } from './http-reply';
export type { Reply, RequestOptions } from './http-reply';
export { startServiceUnderTest } from './service-under-test';
export type { ServiceUnderTest } from './service-under-test';
export { checkApiDocuments } from './api-documents';
export type { ApiDocumentsCheck } from './api-documents';

export { send, STACK_TRACE } from './http-reply';
export type { Reply, RequestOptions } from './http-reply';
export { startServiceUnderTest, TEST_JWT_SECRET } from './service-under-test';
export type { ServiceUnderTest } from './service-under-test';

import * as x from 'aws-xray-sdk-core';
export const handler = async () => x;

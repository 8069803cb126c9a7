/**
 * SDK modules the function bundles leave out: the links of the SDK's default credential chain
 * that never run in Lambda. Lambda gives every function its role's credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, which the chain's first link
 * (`fromEnv`) reads; the chain imports its later links (SSO, shared ini files, credential_process,
 * web identity) only when it reaches them (`await import(…)` in @aws-sdk/credential-provider-node).
 * Left out, they no longer weigh on every cold start: with the STS, SSO and sign-in clients they
 * pull in, about 110 KB of each minified bundle. The local runtime sets the same variables.
 *
 * Read by the CDK construct (`externalModules`) and the local bundler (`external`), so both build
 * the same artefact. No CDK imports here: the local runtime loads this file.
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
] as const;

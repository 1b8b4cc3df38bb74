/**
 * The pgBackRest side of the harness, one concern per file: the database host as the stack
 * renders it (./drHost.ts), the AWS CLI stand-in its scripts call (./fakeAws.ts), the
 * application's seed data (./applicationData.ts), and the waits the tests use.
 */
export { APPLICATION_SCHEMA, seedSql } from "./applicationData";
export { createRepositories, DrHost, PRIMARY_REGION, SECONDARY_REGION, type DrHostOptions, type PgbackrestInfo, type Repositories } from "./drHost";
export { decodeMetricCall, FakeAws, type MetricCall } from "./fakeAws";
export { processesMentioning } from "./processes";
export { waitFor } from "./waitFor";

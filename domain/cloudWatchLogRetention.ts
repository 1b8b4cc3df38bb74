/** Retention periods CloudWatch Logs accepts (`PutRetentionPolicy`), in days; any other value is refused by AWS. */
export const cloudWatchLogRetentionDays: readonly number[] = Object.freeze([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);

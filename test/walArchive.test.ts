import { describe, expect, it } from "vitest";
import {
  archivePushQueueMaxMiB,
  ARCHIVE_PUSH_IO_TIMEOUT_SECONDS,
  DEFAULT_PEAK_WAL_MIB_PER_MINUTE,
  minutesUntilDrop,
  outageResponseMinutes,
  walVolumeFreeMiB,
  WAL_SEGMENT_MIB,
} from "../domain/walArchive";
import { parseStackConfig } from "../infra/parseConfig";
import { maxArchiveTimeoutSeconds } from "../domain/runbook";
import { walQueueMaxMiB, walQueueResponseMinutes } from "../domain/walQueue";
import { loadStackConfig } from "../tools/offline/stackFiles";

const prod = parseStackConfig(loadStackConfig("prod"));

describe("archive-push-queue-max from the runbook's numbers", () => {
  it("absorbs 40 minutes: RPO alarm 5 + monitor period 5 + P1 response 15 + database RTO 15", () => {
    expect(walQueueResponseMinutes(prod)).toBe(40);
  });

  it("is 2560 MiB (160 segments) in prod: 40 min at 64 MiB/min", () => {
    expect(DEFAULT_PEAK_WAL_MIB_PER_MINUTE).toBe(64);
    expect(walQueueMaxMiB(prod)).toBe(2560);
    expect(walQueueMaxMiB(prod) / WAL_SEGMENT_MIB).toBe(160);
  });

  it("lasts 160 min of an idle database (one segment per archive_timeout) and 40 min at the design peak before anything is dropped", () => {
    expect(minutesUntilDrop(2560, 0, maxArchiveTimeoutSeconds)).toBe(160);
    expect(minutesUntilDrop(2560, 64, maxArchiveTimeoutSeconds)).toBe(40);
  });

  it("asks pg_wal's volume for twice the queue plus max_wal_size free: 6144 MiB with PostgreSQL's 1 GiB default", () => {
    expect(walVolumeFreeMiB(2560, 1024)).toBe(6144);
  });

  it("rounds up to whole 16 MiB segments", () => {
    expect(archivePushQueueMaxMiB(3, 17)).toBe(64);
  });

  it("a tighter RPO shortens the response time and the queue", () => {
    expect(walQueueMaxMiB({ recovery: { ...prod.recovery, databaseRpoMinutes: 3 } })).toBe(38 * 64);
  });

  it("keeps an async run against a dead repository (about 8 x io-timeout) inside archive_timeout", () => {
    expect(8 * ARCHIVE_PUSH_IO_TIMEOUT_SECONDS).toBeLessThan(maxArchiveTimeoutSeconds);
  });

  it.each([
    [() => archivePushQueueMaxMiB(40, 8), "peakMiBPerMinute is 8; use at least 16"],
    [() => archivePushQueueMaxMiB(0, 64), "responseMinutes is 0; use a positive number"],
    [() => outageResponseMinutes({ alarmThresholdMinutes: 5, monitorIntervalMinutes: 5, responseMinutes: -1, actMinutes: 15 }), "responseMinutes is -1; use a positive number of minutes"],
  ])("refuses bad input: %s", (make, message) => {
    expect(make).toThrow(message);
  });
});
